using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Get-OutlookMobileDevice: streams the connected Outlook mobile devices to the pipeline as pages arrive.</summary>
[Cmdlet(VerbsCommon.Get, "OutlookMobileDevice")]
[OutputType(typeof(OutlookMobileDevice))]
public sealed class GetOutlookMobileDeviceCommand : DeviceQueryCmdlet
{
    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var query = BuildQuery();
        ulong listing = 0;
        var written = 0L;
        try
        {
            var wire = query.Wire(); // ownership passes to the engine
            listing = RunNative((_, ct) => NativeEngine.Instance.OpenDeviceListing(session.Id, wire, ct));
            while (true)
            {
                using var pageWire = RunNative((_, ct) => NativeEngine.Instance.NextDevicePage(listing, ct));
                var page = pageWire.Unwire();
                WriteLogs(page.logs);
                foreach (var w in page.warnings) WriteWarning(w);
                if (page.done) break;
                foreach (var record in page.devices)
                {
                    WriteObject(new OutlookMobileDevice(record));
                    written++;
                }
                WriteProgress(new ProgressRecord(1, "Get-OutlookMobileDevice", $"{written:N0} devices, {page.pages_read} pages"));
            }
            listing = 0;
            WriteProgress(new ProgressRecord(1, "Get-OutlookMobileDevice", "Done") { RecordType = ProgressRecordType.Completed });
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
        finally
        {
            // Stopped early (Ctrl+C, Select-Object -First): stop fetching pages nobody will read.
            if (listing != 0) NativeEngine.Instance.CloseDeviceListing(listing);
        }
    }
}
