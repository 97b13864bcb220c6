using System;

namespace OutlookQrGuard.Model;

/// <summary>A signed-in connection to one tenant, as Connect-OutlookQrGuard returns it.</summary>
public sealed class OutlookQrGuardSession
{
    internal OutlookQrGuardSession(ulong id, string tenant, string organization, string environment, string method, string appId, string userPrincipalName)
    {
        Id = id;
        Tenant = tenant;
        Organization = organization;
        Environment = environment;
        AuthenticationMethod = method;
        AppId = appId;
        UserPrincipalName = userPrincipalName;
        ConnectedAt = DateTime.Now;
    }

    internal ulong Id { get; }

    /// <summary>The tenant as given (domain or id).</summary>
    public string Tenant { get; }

    /// <summary>The organization's name, as Exchange Online reports it.</summary>
    public string Organization { get; }

    public string Environment { get; }

    public string AuthenticationMethod { get; }

    /// <summary>The app (client) id, "system-assigned" for a system-assigned managed identity.</summary>
    public string AppId { get; }

    /// <summary>The signed-in admin for delegated sessions; empty for app-only.</summary>
    public string UserPrincipalName { get; }

    public DateTime ConnectedAt { get; }

    /// <summary>False after Disconnect-OutlookQrGuard.</summary>
    public bool IsConnected { get; internal set; } = true;

    public override string ToString() => $"{Organization} ({Tenant}, {AuthenticationMethod})";
}
