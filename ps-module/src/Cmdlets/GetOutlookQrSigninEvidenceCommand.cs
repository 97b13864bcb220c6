using System;
using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Get-OutlookQrSigninEvidence: streams the Entra ID sign-in events that started from
/// authentication transfer (the QR code) as pages arrive; pipe them into Revoke-OutlookMobileSignin.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OutlookQrSigninEvidence")]
[OutputType(typeof(SigninEvidence))]
public sealed class GetOutlookQrSigninEvidenceCommand : SigninWindowCmdlet
{
    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var query = BuildSigninWindowQuery();
        ulong listing = 0;
        var written = 0L;
        var toldClientSide = false;
        const string activity = "Get-OutlookQrSigninEvidence";
        try
        {
            var wire = query.Wire(); // ownership passes to the engine
            listing = RunNative((_, ct) => NativeEngine.Instance.OpenSigninEvidence(session.Id, wire, ct));
            while (true)
            {
                using var pageWire = RunNative((_, ct) => NativeEngine.Instance.NextSigninPage(listing, ct));
                var page = pageWire.Unwire();
                WriteLogs(page.logs);
                foreach (var w in page.warnings) WriteWarning(w);
                if (!page.server_side_filter && !toldClientSide)
                {
                    WriteVerbose(Messages.EvidenceClientSideFilter);
                    toldClientSide = true;
                }
                foreach (var e in page.events)
                {
                    WriteObject(new SigninEvidence(e));
                    written++;
                }
                if (page.done) break;
                WriteProgress(new ProgressRecord(1, activity, string.Format(CultureInfo.CurrentCulture, Messages.EvidenceProgress, written, page.pages_read)));
            }
            listing = 0;
            WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.EvidenceDone, written));
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
        finally
        {
            // Stopped early (Ctrl+C, Select-Object -First): stop fetching pages nobody will read.
            if (listing != 0) NativeEngine.Instance.CloseSigninListing(listing);
        }
    }
}
