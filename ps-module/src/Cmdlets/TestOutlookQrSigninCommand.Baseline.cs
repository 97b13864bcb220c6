using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;
using DriftDifference = OutlookQrGuard.Model.DriftDifference;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Test-OutlookQrSignin -BaselinePath (issue #17): compares the tenant with a baseline snapshot
/// file and returns what changed (DriftDifference objects); -UpdateBaseline writes the current
/// snapshot over the file (ShouldProcess). The engine gathers, compares and writes.
/// </summary>
[OutputType(typeof(DriftDifference))]
public sealed partial class TestOutlookQrSigninCommand
{
    /// <summary>The baseline snapshot (JSON). Compared with the tenant; a missing file is the first run.</summary>
    [Parameter]
    [Alias("Baseline")]
    [ValidateNotNullOrEmpty]
    public string? BaselinePath { get; set; }

    /// <summary>Write the current snapshot over -BaselinePath after comparing (atomically; never over a corrupt or foreign file).</summary>
    [Parameter]
    public SwitchParameter UpdateBaseline { get; set; }

    /// <summary>Runs the baseline comparison when -BaselinePath was given; false otherwise (the plain check runs).</summary>
    private bool CompareWithBaseline(OutlookQrGuardSession session)
    {
        if (BaselinePath is null)
        {
            if (UpdateBaseline)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException(Messages.UpdateBaselineNeedsPath, nameof(UpdateBaseline)),
                    "OutlookQrGuard.UpdateBaselineNeedsPath", ErrorCategory.InvalidArgument, null));
            }
            return false;
        }
        var path = GetUnresolvedProviderPathFromPSPath(BaselinePath);
        var write = UpdateBaseline && ShouldProcess(path, Messages.BaselineWriteAction);
        var request = new BaselineRequest { path = path, write = write, window_days = 0 };
        try
        {
            var wire = request.Wire(); // ownership passes to the engine
            using var resultWire = RunNative((events, ct) => NativeEngine.Instance.CompareBaseline(session.Id, wire, events.Log, ct));
            var r = resultWire.Unwire();
            if (!r.baseline_found)
            {
                if (r.written_path is null) WriteWarning(string.Format(CultureInfo.CurrentCulture, Messages.BaselineMissing, path));
            }
            else
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.BaselineCompared, r.baseline_taken_at_utc, r.baseline_verdict, r.verdict, r.differences.Count));
            }
            foreach (var d in r.differences)
            {
                if (d.severity == "Worse") WriteWarning(string.Format(CultureInfo.CurrentCulture, Messages.DriftWorse, d.what, d.from_value, d.to_value));
            }
            if (r.written_path is not null) WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.BaselineWritten, r.written_path));
            if (Quiet)
            {
                // True when nothing got worse since the baseline (a first run has nothing to be worse than).
                WriteObject(!r.got_worse);
                return true;
            }
            foreach (var d in r.differences)
            {
                WriteObject(new DriftDifference(r.organization, d.severity, d.path, d.what, d.from_value, d.to_value, r.baseline_taken_at_utc, r.taken_at_utc));
            }
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, path);
        }
        return true;
    }
}
