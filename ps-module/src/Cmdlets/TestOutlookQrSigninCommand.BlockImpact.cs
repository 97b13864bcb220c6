using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Test-OutlookQrSignin's report-only evidence: with a report-only block in place, what enforcing
/// it would have blocked in the last 30 days (users, sign-ins, break-glass and excluded accounts
/// among them). The -Enforce recommendation is given only with that evidence next to it.
/// </summary>
public sealed partial class TestOutlookQrSigninCommand
{
    private const string ReportOnlyState = "ReportOnly";

    private PSObject WithBlockImpact(PSObject result, SigninCheck check, OutlookQrGuardSession session)
    {
        BlockImpactSummaryInfo? impact = null;
        string recommendation = "";
        if (check.conditional_access.state == ReportOnlyState)
        {
            try
            {
                using var wire = RunNative((events, ct) => NativeEngine.Instance.SummarizeBlockImpact(session.Id, events.Log, ct));
                var summary = wire.Unwire();
                impact = new BlockImpactSummaryInfo(summary);
                foreach (var w in summary.warnings) WriteWarning(w);
                recommendation = impact.Recommendation;
            }
            catch (OutlookQrGuardException e)
            {
                // The check itself stands; only the evidence is missing, so no -Enforce advice.
                recommendation = string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.BlockImpactUnavailable, e.Message);
                WriteWarning(recommendation);
            }
        }
        result.Properties.Add(new PSNoteProperty("ReportOnlyImpact", impact));
        result.Properties.Add(new PSNoteProperty("WouldBlockUsers", impact?.Users));
        result.Properties.Add(new PSNoteProperty("WouldBlockSignIns", impact?.SignIns));
        result.Properties.Add(new PSNoteProperty("WouldBlockBreakGlassUsers", impact?.BreakGlassUsers));
        result.Properties.Add(new PSNoteProperty("WouldBlockExcludedUsers", impact?.ExcludedUsers));
        result.Properties.Add(new PSNoteProperty("EnforceRecommendation", recommendation));
        return result;
    }
}
