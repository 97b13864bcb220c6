using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Revoke-OutlookMobileSignin: revokes users' sign-in sessions (Graph revokeSignInSessions) so
/// their Outlook apps must sign in again through Entra ID. Takes UPNs, object ids, or devices
/// straight from Get-OutlookMobileDevice or Get-OutlookQrSigninEvidence (one revocation per
/// user, however many devices or sign-ins).
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "OutlookMobileSignin", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RevokeResult))]
public sealed class RevokeOutlookMobileSigninCommand : SessionCmdlet
{
    private const string UserSet = "User";
    private const string InputObjectSet = "InputObject";

    private readonly List<RevokeTarget> _targets = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _seenDevices = new(StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = UserSet)]
    [Alias("UserId", "ObjectId")]
    [ValidateNotNullOrEmpty]
    public string[] UserPrincipalName { get; set; } = Array.Empty<string>();

    /// <summary>
    /// What the pipeline brings: devices from Get-OutlookMobileDevice, UPN or object-id strings,
    /// or any object with a UserPrincipalName property (sign-in evidence, earlier results).
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public object[] InputObject { get; set; } = Array.Empty<object>();

    /// <summary>
    /// Also writes every user's outcome to this CSV file (refused if it exists). Unlike the pipeline,
    /// the file survives Ctrl+C: a stopped command can no longer output objects.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResultPath { get; set; }

    /// <summary>
    /// The session; not from the pipeline here: the pipeline brings what to revoke (devices,
    /// users), and $null piped in must be reported against -InputObject.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public override OutlookQrGuardSession? Session { get => base.Session; set => base.Session = value; }

    protected override string? ProgressActivity => "Revoke-OutlookMobileSignin";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == UserSet)
        {
            foreach (var user in UserPrincipalName) AddUser(user);
            return;
        }
        foreach (var item in InputObject)
        {
            switch (item is PSObject ps ? ps.BaseObject : item)
            {
                case OutlookMobileDevice device:
                    AddDevice(device);
                    break;
                // Evidence holds one event per sign-in: many per user, one revocation each.
                case SigninEvidence evidence:
                    AddUser(evidence.UserPrincipalName.Length > 0 ? evidence.UserPrincipalName : evidence.UserId);
                    break;
                case string user:
                    AddUser(user);
                    break;
                default:
                    var upn = PSObject.AsPSObject(item).Properties["UserPrincipalName"]?.Value as string;
                    if (string.IsNullOrWhiteSpace(upn))
                    {
                        WriteError(new ErrorRecord(new PSArgumentException(string.Format(Messages.NotARevokeTarget, item)),
                            "OutlookQrGuard.NotARevokeTarget", ErrorCategory.InvalidArgument, item));
                    }
                    else
                    {
                        AddUser(upn);
                    }
                    break;
            }
        }
    }

    private void AddUser(string user)
    {
        var trimmed = user.Trim();
        if (_seen.Add(trimmed)) _targets.Add(new RevokeTarget { requested = trimmed, user = trimmed, mailbox_distinguished_name = null });
    }

    // Devices are deduplicated per mailbox: one revocation per user, however many phones. A device
    // that names no mailbox still goes to the engine, which reports it NotFound: its shown name is
    // never used as a user.
    private void AddDevice(OutlookMobileDevice device)
    {
        var mailbox = string.IsNullOrWhiteSpace(device.MailboxDistinguishedName) ? null : device.MailboxDistinguishedName;
        var key = mailbox ?? device.DistinguishedName ?? device.UserDisplayNameNew;
        if (_seenDevices.Add(key))
        {
            _targets.Add(new RevokeTarget { requested = device.UserDisplayNameNew, user = null, mailbox_distinguished_name = mailbox });
        }
    }

    protected override void EndProcessing()
    {
        var session = ResolveSession();
        var approved = new List<RevokeTarget>();
        foreach (var t in _targets)
        {
            if (ShouldProcess($"{t.requested} ({session.Organization})", "Revoke all sign-in sessions")) approved.Add(t);
        }
        if (approved.Count == 0) return;
        var resultPath = ResultPath is null ? null : GetUnresolvedProviderPathFromPSPath(ResultPath);
        try
        {
            // Ctrl+C cancels through the engine instead of aborting the task, so the outcomes
            // known by then (who was cut off) come back.
            var cancelId = NativeEngine.Instance.OpenRevokeCancel();
            var wire = new RevokeRequest { targets = approved, cancel_id = cancelId, result_path = resultPath }.Wire(); // ownership passes to the engine
            var total = (ulong)approved.Count;
            using var batchWire = RunNativeToEnd(events => NativeEngine.Instance.RevokeSessions(session.Id, wire, events.Progress, events.Log),
                () =>
                {
                    try { NativeEngine.Instance.CancelRevoke(cancelId); }
                    catch (Exception) { /* on the stopping thread: never throw; the call then ends on its own */ }
                },
                p => WriteProgress(new ProgressRecord(1, "Revoke-OutlookMobileSignin", $"{p.Done:N0} of {total:N0} users")
                {
                    PercentComplete = (int)Math.Min(100, p.Done * 100 / Math.Max(1, total)),
                }));
            var batch = batchWire.Unwire();
            if (StopToken.IsCancellationRequested)
            {
                ReportStopped(batch.outcomes, resultPath);
                throw new PipelineStoppedException();
            }
            WriteVerbose(Summary(Messages.RevokeSummary, batch.outcomes));
            foreach (var o in batch.outcomes)
            {
                var result = new RevokeResult(o.requested, o.user_principal_name, o.user_id, o.status, o.message);
                WriteObject(result);
                if (o.status != "Revoked")
                {
                    // One user's failure never stops the batch: a non-terminating error naming the user.
                    var kind = o.status switch
                    {
                        "NotFound" => OutlookQrGuardErrorKind.NotFound,
                        "Forbidden" => OutlookQrGuardErrorKind.PermissionDenied,
                        "Invalid" or "NotSupported" => OutlookQrGuardErrorKind.InvalidArgument,
                        "Throttled" => OutlookQrGuardErrorKind.Throttled,
                        _ => OutlookQrGuardErrorKind.Connection,
                    };
                    var who = o.user_principal_name.Length > 0 ? o.user_principal_name : o.requested;
                    var text = o.status == "NotSupported"
                        ? string.Format(Messages.RevokeGuestNotSupported, who)
                        : string.Format(Messages.RevokeFailed, who, o.message);
                    WriteNativeError(new OutlookQrGuardException(kind, text, o.status, who), result);
                }
            }
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
    }

    private static string Who(RevokeOutcome o) => o.user_principal_name.Length > 0 ? o.user_principal_name : o.requested;

    private static string Summary(string format, IReadOnlyCollection<RevokeOutcome> outcomes)
    {
        int Count(string status) => outcomes.Count(o => o.status == status);
        var (revoked, cancelled, unknown) = (Count("Revoked"), Count("Cancelled"), Count("Unknown"));
        return string.Format(format, revoked, cancelled, unknown, outcomes.Count - revoked - cancelled - unknown, outcomes.Count);
    }

    /// <summary>
    /// After Ctrl+C PowerShell refuses output and stream writes from the command (WriteObject and
    /// WriteProgress begin with ThrowIfStopping: PowerShell/PowerShell
    /// src/System.Management.Automation/engine/MshCommandRuntime.cs), but the host still shows text: the summary and who was revoked (and who may have been) go there as warnings,
    /// and every outcome is in -ResultPath when given.
    /// </summary>
    private void ReportStopped(List<RevokeOutcome> outcomes, string? resultPath)
    {
        var ui = Host?.UI;
        if (ui is null) return;
        ui.WriteWarningLine(Summary(Messages.RevokeStoppedSummary, outcomes));
        var revoked = outcomes.Where(o => o.status == "Revoked").Select(Who).ToList();
        if (revoked.Count > 0) ui.WriteWarningLine(string.Format(Messages.RevokeStoppedRevoked, string.Join(", ", revoked)));
        var unknown = outcomes.Where(o => o.status == "Unknown").Select(Who).ToList();
        if (unknown.Count > 0) ui.WriteWarningLine(string.Format(Messages.RevokeStoppedUnknown, string.Join(", ", unknown)));
        ui.WriteWarningLine(resultPath is null ? Messages.RevokeStoppedNoResultPath : string.Format(Messages.RevokeStoppedResultPath, resultPath));
    }
}
