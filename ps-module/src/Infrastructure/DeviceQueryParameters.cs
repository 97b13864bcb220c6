using System;
using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>-UserPrincipalName, -DeviceModel, -AnyDeviceModel, -ResultSize, shared by Get- and Export-OutlookMobileDevice.</summary>
public abstract class DeviceQueryCmdlet : SessionCmdlet
{
    internal const string OutlookMobileModel = "Outlook for iOS and Android";

    /// <summary>Only this user's devices (UPN, alias or mailbox identity).</summary>
    [Parameter]
    [Alias("Mailbox", "Identity")]
    [ValidateNotNullOrEmpty]
    public string? UserPrincipalName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string DeviceModel { get; set; } = OutlookMobileModel;

    /// <summary>Every ActiveSync device, whatever its model.</summary>
    [Parameter]
    public SwitchParameter AnyDeviceModel { get; set; }

    /// <summary>A positive number, or Unlimited (the default).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ResultSize { get; set; } = "Unlimited";

    internal DeviceQuery BuildQuery()
    {
        uint? size = null;
        if (!ResultSize.Equals("Unlimited", StringComparison.OrdinalIgnoreCase))
        {
            if (!uint.TryParse(ResultSize, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(string.Format(Messages.InvalidResultSize, ResultSize)),
                    "OutlookQrGuard.InvalidResultSize", ErrorCategory.InvalidArgument, ResultSize));
            }
            size = n;
        }
        return new DeviceQuery
        {
            device_model = AnyDeviceModel ? null : DeviceModel,
            mailbox = UserPrincipalName,
            result_size = size,
        };
    }
}
