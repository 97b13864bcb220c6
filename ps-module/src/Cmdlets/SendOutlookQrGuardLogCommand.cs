using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Send-OutlookQrGuardLog: the check result, drift differences piped in (What, From, To,
/// Severity) and, with -IncludeEvidence, the transfer sign-ins, as rows of a Log Analytics
/// custom table through Azure Monitor's Logs Ingestion API. The engine builds, batches and
/// sends the rows; this cmdlet collects the pipeline and shows the result.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "OutlookQrGuardLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PSObject))]
public sealed class SendOutlookQrGuardLogCommand : SessionCmdlet
{
    /// <summary>The data collection endpoint (or the DCR's logs ingestion endpoint), e.g. https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Endpoint", "DceUri")]
    [ValidateNotNull]
    public Uri DataCollectionEndpoint { get; set; } = null!;

    /// <summary>The data collection rule's immutable id (dcr- and 32 hexadecimal digits).</summary>
    [Parameter(Mandatory = true)]
    [Alias("DcrImmutableId")]
    [ValidateRuleId]
    public string RuleId { get; set; } = string.Empty;

    /// <summary>The stream declared in the rule (Custom-…).</summary>
    [Parameter]
    [ValidateCustomStream]
    public string StreamName { get; set; } = "Custom-OutlookQrGuard";

    /// <summary>Also send the sign-ins through authentication transfer (the QR code) as rows.</summary>
    [Parameter]
    public SwitchParameter IncludeEvidence { get; set; }

    /// <summary>Start of the sign-in window for -IncludeEvidence; 30 days ago when omitted.</summary>
    [Parameter]
    public DateTime EvidenceSince { get; set; }

    /// <summary>Send only the piped drift differences (and evidence), not a new check result.</summary>
    [Parameter]
    public SwitchParameter SkipCheck { get; set; }

    /// <summary>A drift difference's setting (OutlookQrGuard.DriftDifference.What), from the pipeline.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? What { get; set; }

    /// <summary>The value before (From), from the pipeline.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? From { get; set; }

    /// <summary>The value after (To), from the pipeline.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? To { get; set; }

    /// <summary>The difference's severity, from the pipeline.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? Severity { get; set; }

    private readonly List<DriftRow> _drift = new();

    protected override string? ProgressActivity => "Send-OutlookQrGuardLog";

    protected override void ProcessRecord()
    {
        // Each piped object is one difference; the engine refuses one without What.
        if (!MyInvocation.ExpectingInput) return;
        _drift.Add(new DriftRow
        {
            what = What ?? string.Empty,
            from_value = Text(From),
            to_value = Text(To),
            severity = Severity ?? string.Empty,
        });
    }

    protected override void EndProcessing()
    {
        var evidenceSince = MyInvocation.BoundParameters.ContainsKey(nameof(EvidenceSince)) ? EvidenceSince.ToUniversalTime().Ticks : (long?)null;
        if (evidenceSince is not null && !IncludeEvidence)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Messages.LogEvidenceSinceNeedsSwitch), "OutlookQrGuard.EvidenceSinceNeedsSwitch", ErrorCategory.InvalidArgument, EvidenceSince));
        }
        var session = ResolveSession();
        var target = $"{DataCollectionEndpoint.OriginalString} ({RuleId}, {StreamName})";
        var whatIf = false;
        if (!ShouldProcess(target, "Send rows to Azure Monitor"))
        {
            // -WhatIf still counts what would go; a declined -Confirm does nothing.
            if (!MyInvocation.BoundParameters.ContainsKey("WhatIf")) return;
            whatIf = true;
        }
        var request = new LogSendRequest
        {
            endpoint = DataCollectionEndpoint.OriginalString,
            rule_id = RuleId,
            stream = StreamName,
            include_check = !SkipCheck,
            include_evidence = IncludeEvidence,
            evidence_since_ticks = evidenceSince,
            drift = _drift,
            what_if = whatIf,
        };
        try
        {
            var wire = request.Wire(); // ownership passes to the engine
            using var summaryWire = RunNative((events, ct) => NativeEngine.Instance.SendLogs(session.Id, wire, events.Progress, events.Log, ct));
            var summary = summaryWire.Unwire();
            WriteHostMessage(whatIf
                ? string.Format(CultureInfo.CurrentCulture, Messages.LogSendWhatIf, summary.rows, summary.batches, summary.bytes, target)
                : string.Format(CultureInfo.CurrentCulture, Messages.LogSendSummary, summary.rows, summary.batches, summary.bytes, summary.sent_bytes, summary.elapsed_ms / 1000.0, target));
            WriteObject(LogSendResult.From(summary));
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, target);
        }
    }

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        PSObject p => Text(p.BaseObject),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
