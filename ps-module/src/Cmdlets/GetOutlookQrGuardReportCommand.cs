using System.Globalization;
using System.IO;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Get-OutlookQrGuardReport: one audit — the prompt setting, the Conditional Access block of
/// authentication transfer, connected Outlook mobile devices per user and OS, the users with the
/// most devices, who signed in through the QR code, recommendations — as HTML (a page a manager
/// can read), JSON or CSV. With -Path it writes the file; without, it returns the text.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OutlookQrGuardReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TenantSet)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed partial class GetOutlookQrGuardReportCommand : DeviceQueryCmdlet
{
    [Parameter]
    [ValidateSet("Html", "Json", "Csv")]
    public string Format { get; set; } = "Html";

    [Parameter(Position = 0)]
    [Alias("FilePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Replace an existing report file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// The reader's culture for the HTML's thousands separators (e.g. ja-JP, de-DE); by default the
    /// session's current culture. The page has no script, so it cannot localise itself; JSON and CSV
    /// keep raw numbers.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public CultureInfo Culture { get; set; } = CultureInfo.CurrentCulture;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FleetSet)
        {
            CollectFleetRows();
            return;
        }
        var session = ResolveSession();
        string? path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
        if (path is not null && !ShouldProcess(path, $"Write the {Format} audit report")) return;
        var request = new ReportRequest { format = Format, path = path, overwrite = Force, query = BuildQuery(), culture = Culture.Name };
        try
        {
            var wire = request.Wire(); // ownership passes to the engine
            using var resultWire = RunNative((events, ct) => NativeEngine.Instance.BuildReport(session.Id, wire, events.Progress, events.Log, ct),
                p => WriteProgress(new ProgressRecord(1, "Get-OutlookQrGuardReport", $"{p.Done:N0} devices read")));
            var result = resultWire.Unwire();
            WriteProgress(new ProgressRecord(1, "Get-OutlookQrGuardReport", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.ReportVerbose, result.verdict, result.conditional_access_state, result.transfer_users, result.transfer_signins));
            if (result.path is not null) WriteObject(new FileInfo(result.path));
            else WriteObject(result.text);
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, path ?? (object)session);
        }
    }
}
