using System;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>What Send-OutlookQrGuardLog returns: rows, batches, bytes and time.</summary>
internal static class LogSendResult
{
    internal const string TypeName = "OutlookQrGuard.LogSendResult";

    internal static PSObject From(LogSendSummary s)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.Properties.Add(new PSNoteProperty("Rows", s.rows));
        o.Properties.Add(new PSNoteProperty("CheckRows", s.check_rows));
        o.Properties.Add(new PSNoteProperty("DriftRows", s.drift_rows));
        o.Properties.Add(new PSNoteProperty("EvidenceRows", s.evidence_rows));
        o.Properties.Add(new PSNoteProperty("Batches", s.batches));
        o.Properties.Add(new PSNoteProperty("Bytes", s.bytes));
        o.Properties.Add(new PSNoteProperty("SentBytes", s.sent_bytes));
        o.Properties.Add(new PSNoteProperty("Elapsed", TimeSpan.FromMilliseconds(s.elapsed_ms)));
        o.Properties.Add(new PSNoteProperty("WhatIf", s.what_if));
        o.Properties.Add(new PSNoteProperty("DataCollectionEndpoint", s.endpoint));
        o.Properties.Add(new PSNoteProperty("RuleId", s.rule_id));
        o.Properties.Add(new PSNoteProperty("StreamName", s.stream));
        return o;
    }
}
