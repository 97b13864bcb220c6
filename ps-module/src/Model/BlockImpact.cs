using System;
using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>
/// One user's sign-ins to one app that a report-only block of authentication transfer would have
/// blocked (Get-OutlookQrBlockImpact). UserPrincipalName and UserId bind by property name to
/// Revoke-OutlookMobileSignin.
/// </summary>
public sealed class BlockImpact
{
    internal BlockImpact(BlockImpactRow r)
    {
        UserPrincipalName = r.user_principal_name;
        UserId = r.user_id;
        UserDisplayName = r.user_display_name;
        App = r.app_display_name;
        AppId = r.app_id;
        SignIns = r.signins;
        FirstSignIn = new DateTime(r.first_ticks, DateTimeKind.Utc);
        LastSignIn = new DateTime(r.last_ticks, DateTimeKind.Utc);
        Policies = r.policies.ToArray();
        ExcludedNow = r.excluded_now;
        BreakGlass = r.break_glass;
    }

    public string UserPrincipalName { get; }
    public string UserId { get; }
    public string UserDisplayName { get; }
    public string App { get; }
    public string AppId { get; }

    /// <summary>Sign-ins the report-only block would have blocked (reportOnlyFailure).</summary>
    public ulong SignIns { get; }
    public DateTime FirstSignIn { get; }
    public DateTime LastSignIn { get; }

    /// <summary>The report-only policies that reported the block.</summary>
    public string[] Policies { get; }

    /// <summary>Excluded from those policies now: enforcing would not block this user.</summary>
    public bool ExcludedNow { get; }

    /// <summary>Excluded from another enabled policy but not from this block: likely an emergency-access account.</summary>
    public bool BreakGlass { get; }

    public override string ToString() => $"{UserPrincipalName} {App} {SignIns}";
}

/// <summary>
/// What enforcing the report-only block would have blocked in the window, as Test-OutlookQrSignin
/// shows it; Recommendation is the -Enforce advice with its evidence.
/// </summary>
public sealed class BlockImpactSummaryInfo
{
    internal BlockImpactSummaryInfo(BlockImpactSummary s)
    {
        Policies = s.policies.ToArray();
        Since = new DateTime(s.since_ticks, DateTimeKind.Utc);
        Until = s.until_ticks is long u ? new DateTime(u, DateTimeKind.Utc) : null;
        Users = s.users;
        SignIns = s.signins;
        ExcludedUsers = s.excluded_users.ToArray();
        BreakGlassUsers = s.break_glass_users.ToArray();
        TransferSignInsRead = s.events_read;
        Unjudged = s.events_without_policy_data + s.events_hidden_result;
        Recommendation = s.recommendation;
    }

    public string[] Policies { get; }
    public DateTime Since { get; }

    /// <summary>Null: up to now.</summary>
    public DateTime? Until { get; }
    public ulong Users { get; }
    public ulong SignIns { get; }
    public string[] ExcludedUsers { get; }
    public string[] BreakGlassUsers { get; }
    public ulong TransferSignInsRead { get; }

    /// <summary>Sign-ins whose report-only result could not be read (no Policy.Read.All, or hidden as unknownFutureValue).</summary>
    public ulong Unjudged { get; }
    public string Recommendation { get; }

    public override string ToString() => Recommendation;
}
