using System;
using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>
/// One sign-in event that started from authentication transfer (the QR code). UserPrincipalName
/// and UserId bind by property name to Revoke-OutlookMobileSignin.
/// </summary>
public sealed class SigninEvidence
{
    internal SigninEvidence(SigninEvent e)
    {
        Time = new DateTime(e.created_ticks, DateTimeKind.Utc);
        UserPrincipalName = e.user_principal_name;
        UserId = e.user_id;
        UserDisplayName = e.user_display_name;
        App = e.app_display_name;
        AppId = e.app_id;
        ClientAppUsed = e.client_app_used;
        EventType = e.event_type;
        DeviceOS = e.operating_system;
        DeviceName = e.device_name;
        Browser = e.browser;
        DeviceId = e.device_id;
        IPAddress = e.ip_address;
        City = e.city;
        State = e.state;
        Country = e.country;
        Location = string.Join(", ", new[] { e.city, e.state, e.country }.Where(s => s.Length > 0));
        Result = e.result;
        ErrorCode = e.error_code;
        FailureReason = e.failure_reason;
        ConditionalAccessStatus = e.conditional_access_status;
        TransferMethod = e.transfer_method;
        CorrelationId = e.correlation_id;
        Id = e.id;
    }

    /// <summary>When Entra ID recorded the sign-in (UTC).</summary>
    public DateTime Time { get; }
    public string UserPrincipalName { get; }
    public string UserId { get; }
    public string UserDisplayName { get; }
    public string App { get; }
    public string AppId { get; }
    public string ClientAppUsed { get; }

    /// <summary>interactiveUser or nonInteractiveUser.</summary>
    public string EventType { get; }
    public string DeviceOS { get; }
    public string DeviceName { get; }
    public string Browser { get; }

    /// <summary>The Entra device id; empty for an unregistered phone.</summary>
    public string DeviceId { get; }
    public string IPAddress { get; }
    public string City { get; }
    public string State { get; }
    public string Country { get; }

    /// <summary>City, state and country, the parts the log has.</summary>
    public string Location { get; }

    /// <summary>Success or Failure.</summary>
    public string Result { get; }
    public int ErrorCode { get; }
    public string FailureReason { get; }
    public string ConditionalAccessStatus { get; }

    /// <summary>originalTransferMethod (authenticationTransfer for every event this cmdlet returns).</summary>
    public string TransferMethod { get; }
    public string CorrelationId { get; }
    public string Id { get; }

    public override string ToString() => $"{Time:u} {UserPrincipalName} {App} {DeviceOS}";
}
