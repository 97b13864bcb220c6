using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Get-OutlookQrFleetStatus: many tenants in one run — for each session, the check over every
/// layer (prompt, Conditional Access, OWA mailbox policies), the sign-in evidence summary and the
/// would-be-blocked summary, tenants side by side (at most -ThrottleLimit at once), one row per
/// tenant. A tenant that fails says why in its row; the others are not held up.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OutlookQrFleetStatus")]
[OutputType(typeof(FleetTenantStatus))]
public sealed class GetOutlookQrFleetStatusCommand : OutlookQrGuardCmdlet
{
    private readonly List<OutlookQrGuardSession> _sessions = new();

    /// <summary>The tenants' sessions; every session connected in this runspace when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OutlookQrGuardSession[]? Session { get; set; }

    /// <summary>Tenants checked at once (1 to 64; 4 by default).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    protected override void ProcessRecord()
    {
        foreach (var s in Session ?? System.Array.Empty<OutlookQrGuardSession>())
        {
            if (!_sessions.Contains(s)) _sessions.Add(s);
        }
    }

    protected override void EndProcessing()
    {
        var sessions = _sessions.Count > 0 ? _sessions.ToArray() : SessionStore.ConnectedHere();
        if (sessions.Length == 0)
        {
            ThrowTerminatingError(new ErrorRecord(new PSInvalidOperationException(Messages.FleetNoSessions),
                "OutlookQrGuard.FleetNoSessions", ErrorCategory.ConnectionError, null));
        }
        var request = new FleetRequest
        {
            sessions = sessions.Select(s => new FleetSessionRef { session_id = s.Id, label = s.Tenant }).ToList(),
            throttle_limit = (uint)ThrottleLimit,
        };
        try
        {
            var wire = request.Wire(); // ownership passes to the engine
            using var resultWire = RunNative((events, ct) => NativeEngine.Instance.FleetStatus(wire, events.Log, ct));
            var result = resultWire.Unwire();
            var rows = result.rows.Select((row, i) => new FleetTenantStatus(row, sessions[i])).ToArray();
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.FleetVerbose, rows.Length, result.elapsed_ms, ThrottleLimit, rows.Count(r => r.Errors.Length > 0)));
            foreach (var row in rows) WriteObject(row);
        }
        catch (OutlookQrGuardException e)
        {
            ThrowNativeError(e);
        }
    }
}
