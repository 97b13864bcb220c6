using System;
using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Get-OutlookQrBlockImpact: what enforcing the report-only block of authentication transfer would
/// break. Reads the sign-in logs page by page (as Get-OutlookQrSigninEvidence does) and keeps the
/// sign-ins a report-only blocking policy says it would have blocked, per user and app; ends with a
/// summary line. Pipe the output into Revoke-OutlookMobileSignin.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OutlookQrBlockImpact")]
[OutputType(typeof(BlockImpact))]
public sealed class GetOutlookQrBlockImpactCommand : SigninWindowCmdlet
{
    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var query = BuildSigninWindowQuery();
        ulong listing = 0;
        var toldClientSide = false;
        const string activity = "Get-OutlookQrBlockImpact";
        try
        {
            var wire = query.Wire(); // ownership passes to the engine
            listing = RunNative((_, ct) => NativeEngine.Instance.OpenBlockImpact(session.Id, wire, ct));
            while (true)
            {
                using var pageWire = RunNative((_, ct) => NativeEngine.Instance.NextBlockImpactPage(listing, ct));
                var page = pageWire.Unwire();
                WriteLogs(page.logs);
                if (!page.done)
                {
                    WriteProgress(new ProgressRecord(1, activity, string.Format(CultureInfo.CurrentCulture, Messages.BlockImpactProgress, page.events_read, page.pages_read)));
                    continue;
                }
                listing = 0; // the engine closed it with the last page
                var s = page.summary;
                foreach (var w in s.warnings) WriteWarning(w);
                if (!s.server_side_filter && !toldClientSide)
                {
                    WriteVerbose(Messages.EvidenceClientSideFilter);
                    toldClientSide = true;
                }
                foreach (var r in page.rows) WriteObject(new BlockImpact(r));
                WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
                WriteHostMessage(string.Format(CultureInfo.CurrentCulture, Messages.BlockImpactSummary,
                    s.signins, s.users, new DateTime(s.since_ticks, DateTimeKind.Utc), s.rows,
                    s.excluded_users.Count, s.break_glass_users.Count));
                WriteVerbose(s.recommendation);
                break;
            }
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
        finally
        {
            // Stopped early (Ctrl+C): stop fetching pages nobody will read.
            if (listing != 0) NativeEngine.Instance.CloseBlockImpact(listing);
        }
    }
}
