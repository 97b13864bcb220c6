using System;
using System.Globalization;
using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>
/// One tenant of Get-OutlookQrFleetStatus: the verdict per layer, the sign-in evidence counts,
/// the would-be-blocked summary and what could not be read. Pipe rows to
/// Get-OutlookQrGuardReport for the fleet page, or to any cmdlet (their Session binds by name).
/// </summary>
public sealed class FleetTenantStatus
{
    /// <summary>For rows read back from the fleet JSON or built by a script.</summary>
    public FleetTenantStatus() { }

    internal FleetTenantStatus(FleetTenantRow row, OutlookQrGuardSession? session)
    {
        Session = session;
        Tenant = row.tenant;
        Organization = row.organization;
        Verdict = row.verdict;
        Prompt = row.prompt;
        ConditionalAccess = row.conditional_access;
        OwaAccountTransfer = row.owa_account_transfer;
        EvidenceAvailable = row.evidence_available;
        TransferUsers = row.transfer_users;
        TransferSignins = row.transfer_signins;
        NewestTransfer = DateTime.TryParse(row.newest_transfer_utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        WouldBeBlockedUsers = row.would_be_blocked_users;
        WouldBeBlockedNote = row.would_be_blocked_note;
        Errors = row.errors.ToArray();
        StartedAfter = TimeSpan.FromMilliseconds(row.started_after_ms);
        Elapsed = TimeSpan.FromMilliseconds(row.elapsed_ms);
    }

    /// <summary>The session the row was checked with (null for rows built elsewhere).</summary>
    public OutlookQrGuardSession? Session { get; set; }

    public string Tenant { get; set; } = string.Empty;
    public string Organization { get; set; } = string.Empty;

    /// <summary>Test-OutlookQrSignin's verdict over both layers; Error when the check failed.</summary>
    public string Verdict { get; set; } = string.Empty;

    /// <summary>Exposed, PromptHidden, Unknown or Error.</summary>
    public string Prompt { get; set; } = string.Empty;

    /// <summary>Blocked, BlockedWithExclusions, ReportOnly, NotBlocked, Unknown or Error.</summary>
    public string ConditionalAccess { get; set; } = string.Empty;

    /// <summary>AccountTransferEnabled on the OWA mailbox policies: On, Off, Unknown or Error.</summary>
    public string OwaAccountTransfer { get; set; } = string.Empty;

    public bool EvidenceAvailable { get; set; }
    public ulong TransferUsers { get; set; }
    public ulong TransferSignins { get; set; }

    /// <summary>Newest authentication-transfer sign-in (UTC), if any.</summary>
    public DateTime? NewestTransfer { get; set; }

    /// <summary>Users an enforced block would stop; empty until the impact listing is in the build.</summary>
    public ulong? WouldBeBlockedUsers { get; set; }
    public string WouldBeBlockedNote { get; set; } = string.Empty;

    /// <summary>What could not be read, one sentence per layer.</summary>
    public string[] Errors { get; set; } = Array.Empty<string>();

    public TimeSpan StartedAfter { get; set; }
    public TimeSpan Elapsed { get; set; }

    internal FleetTenantRow ToRow() => new()
    {
        tenant = Tenant,
        organization = Organization,
        verdict = Verdict,
        prompt = Prompt,
        conditional_access = ConditionalAccess,
        owa_account_transfer = OwaAccountTransfer,
        evidence_available = EvidenceAvailable,
        transfer_users = TransferUsers,
        transfer_signins = TransferSignins,
        newest_transfer_utc = NewestTransfer?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty,
        would_be_blocked_users = WouldBeBlockedUsers,
        would_be_blocked_note = WouldBeBlockedNote,
        errors = Errors.ToList(),
        started_after_ms = (ulong)Math.Max(0, StartedAfter.TotalMilliseconds),
        elapsed_ms = (ulong)Math.Max(0, Elapsed.TotalMilliseconds),
    };
}
