using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Export-OutlookMobileDevice: the connected Outlook mobile devices to CSV, as Export-Csv
/// -NoTypeInformation writes them (UTF-8 with BOM by default). -Layout RemotePowerShell (default)
/// is the procedure's 42 columns (UserDisplayName in O, UserDisplayNameNew in AP);
/// ExchangeOnlineManagement is the 40 REST properties + UserDisplayNameNew. With
/// -IncludeSigninEvidence, the owners' authentication-transfer sign-ins as extra columns after either.
/// </summary>
[Cmdlet(VerbsData.Export, "OutlookMobileDevice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportOutlookMobileDeviceCommand : DeviceQueryCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("FilePath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// Column layout: RemotePowerShell (the published procedure's file from a remote PowerShell
    /// session: PSComputerName, RunspaceId, PSShowComputerName, 38 properties, UserDisplayNameNew)
    /// or ExchangeOnlineManagement (today's module: 40 properties, UserDisplayNameNew).
    /// </summary>
    [Parameter]
    [ValidateSet("RemotePowerShell", "ExchangeOnlineManagement")]
    public string Layout { get; set; } = "RemotePowerShell";

    [Parameter]
    [ValidateSet("utf8BOM", "utf8NoBOM", "utf8", "unicode", "shift_jis")]
    public string Encoding { get; set; } = "utf8BOM";

    /// <summary>Replace an existing file, and create missing parent folders.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file (the default; kept for Export-Csv habits).</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Keep values that start with = + - @ as they are (no leading apostrophe).</summary>
    [Parameter]
    public SwitchParameter NoFormulaProtection { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Add TransferSignInCount, TransferFirstSignIn and TransferLastSignIn after the default columns:
    /// the owner's sign-ins through authentication transfer (the QR code), from the Entra ID sign-in logs.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeSigninEvidence { get; set; }

    /// <summary>Start of the sign-in log window for -IncludeSigninEvidence; 30 days ago when omitted.</summary>
    [Parameter]
    public DateTime EvidenceSince { get; set; }

    /// <summary>No summary line.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override string? ProgressActivity => "Export-OutlookMobileDevice";

    protected override void ProcessRecord()
    {
        if (Force && NoClobber)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Messages.ForceAndNoClobber), "OutlookQrGuard.ForceAndNoClobber", ErrorCategory.InvalidArgument, null));
        }
        var evidenceSince = MyInvocation.BoundParameters.ContainsKey(nameof(EvidenceSince)) ? EvidenceSince.ToUniversalTime().Ticks : (long?)null;
        if (evidenceSince is not null && !IncludeSigninEvidence)
        {
            // The columns change the file's shape: only the switch itself may add them.
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Messages.EvidenceSinceNeedsSwitch), "OutlookQrGuard.EvidenceSinceNeedsSwitch", ErrorCategory.InvalidArgument, EvidenceSince));
        }
        var session = ResolveSession();
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, "Export Outlook mobile devices to CSV")) return;
        var request = new ExportRequest
        {
            path = path,
            overwrite = Force,
            create_directory = Force,
            encoding = Encoding == "utf8" ? "utf8NoBOM" : Encoding,
            neutralise_formulas = !NoFormulaProtection,
            newline = string.Empty,
            date_culture = Culture(CultureInfo.CurrentCulture),
            query = BuildQuery(),
            layout = Layout,
            include_signin_evidence = IncludeSigninEvidence,
            evidence_since_ticks = evidenceSince,
        };
        try
        {
            var wire = request.Wire(); // ownership passes to the engine
            using var summaryWire = RunNative((events, ct) => NativeEngine.Instance.ExportDevices(session.Id, wire, events.Progress, events.Log, ct),
                p => WriteProgress(new ProgressRecord(1, "Export-OutlookMobileDevice", $"{p.Done:N0} devices written to {path}")));
            var summary = summaryWire.Unwire();
            foreach (var w in summary.warnings) WriteWarning(w);
            WriteProgress(new ProgressRecord(1, "Export-OutlookMobileDevice", "Done") { RecordType = ProgressRecordType.Completed });
            if (!Quiet)
            {
                WriteHostMessage(string.Format(CultureInfo.CurrentCulture, Messages.ExportSummary, summary.devices, summary.users, summary.path, summary.encoding, summary.bytes));
                if (IncludeSigninEvidence)
                {
                    WriteHostMessage(string.Format(CultureInfo.CurrentCulture, Messages.ExportEvidenceSummary, summary.devices_with_evidence, summary.users_with_evidence));
                }
            }
            if (PassThru) WriteObject(new FileInfo(summary.path));
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, path);
        }
    }

    // Export-Csv prints dates with the current culture; so does the engine, given its patterns.
    private static DateCultureSpec Culture(CultureInfo culture)
    {
        var f = culture.DateTimeFormat;
        return new DateCultureSpec
        {
            short_date_pattern = f.ShortDatePattern,
            long_time_pattern = f.LongTimePattern,
            am_designator = f.AMDesignator,
            pm_designator = f.PMDesignator,
            date_separator = f.DateSeparator,
            time_separator = f.TimeSeparator,
            abbreviated_month_names = f.AbbreviatedMonthNames.Take(12).ToList(),
            month_names = f.MonthNames.Take(12).ToList(),
            abbreviated_day_names = f.AbbreviatedDayNames.ToList(),
            day_names = f.DayNames.ToList(),
        };
    }
}
