@{
    Synopsis    = 'Sends the check result, drift differences and QR-code sign-ins to Log Analytics / Microsoft Sentinel through the Azure Monitor Logs Ingestion API.'
    Description = @'
Send-OutlookQrGuardLog writes rows to a Log Analytics custom table (by default the stream Custom-OutlookQrGuard of a data collection rule), where Microsoft Sentinel analytics rules and workbooks can use them. Each row has TimeGenerated, EntraTenantId, Organization, RecordType and ModuleVersion, plus the columns of its type:

- CheckResult (one row, unless -SkipCheck): the same check as Test-OutlookQrSignin. Verdict, PromptEnabled, ConditionalAccessState, Exposed, BlockingPolicies, Detail.
- DriftDifference (one row per object piped in): DriftWhat, DriftFrom, DriftTo, Severity, from the What, From, To and Severity properties of the piped objects (the drift cmdlet's OutlookQrGuard.DriftDifference objects, or any objects with those properties).
- TransferSignin (with -IncludeEvidence): one row per sign-in through authentication transfer, as Get-OutlookQrSigninEvidence returns them. TimeGenerated is the sign-in time; UserPrincipalName, UserId, AppId, AppDisplayName, IpAddress, Location, SigninId, CorrelationId, Succeeded.

The README section "Send results to Log Analytics / Sentinel" gives the table's columns, the data collection rule and two KQL queries.

Rows are sent as gzip-compressed JSON arrays of at most 1,000,000 bytes each (the API refuses calls over 1 MB), in order. A row too large for one call stops the command before anything is sent, naming the row. When Azure Monitor throttles (HTTP 429) or fails briefly (5xx) the cmdlet waits as long as it asks (Retry-After) and tries again. A batch that Azure Monitor refuses stops the command; the error says how many rows were accepted before it.

The token is requested for Azure Monitor (https://monitor.azure.com, or .us / .cn in the government and China clouds) from the credential of the current session, only when rows are sent. The app, managed identity or signed-in admin needs the Monitoring Metrics Publisher role on the data collection rule. Sessions connected with -AccessToken have no Azure Monitor token and cannot send.

-WhatIf builds the rows and counts what would be sent (rows, batches, bytes) without sending anything.

The cmdlet returns an object with Rows, CheckRows, DriftRows, EvidenceRows, Batches, Bytes (JSON), SentBytes (compressed), Elapsed, WhatIf, DataCollectionEndpoint, RuleId and StreamName.
'@
    Parameters  = @{
        DataCollectionEndpoint = 'The logs ingestion endpoint: a data collection endpoint (DCE) such as https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com, or the data collection rule''s own logs ingestion endpoint. It must be https and in the session''s cloud (ingest.monitor.azure.com, .us or .cn).'
        RuleId                 = 'The data collection rule''s immutable id: dcr- followed by 32 hexadecimal digits (shown on the rule''s Overview page and as immutableId in its JSON view). The rule''s name or resource id is refused.'
        StreamName             = 'The stream declared in the rule''s streamDeclarations. Must start with Custom-. The default is Custom-OutlookQrGuard, as in the README''s rule.'
        IncludeEvidence        = 'Also send one row per sign-in through authentication transfer (the QR code) from the Entra ID sign-in logs. Needs AuditLog.Read.All and Entra ID P1 or P2.'
        EvidenceSince          = 'The start of the sign-in window for -IncludeEvidence. The default is 30 days ago.'
        SkipCheck              = 'Do not run the check and send no CheckResult row: send only the piped drift differences (and the evidence rows).'
        What                   = 'A drift difference''s setting name, taken from the What property of the piped object. An object without What is refused.'
        From                   = 'The value before the change, from the From property of the piped object.'
        To                     = 'The value after the change, from the To property of the piped object.'
        Severity               = 'The difference''s severity, from the Severity property of the piped object.'
        Session                = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
        WhatIf                 = 'Shows how many rows, batches and bytes would be sent, and sends nothing.'
        Confirm                = 'Asks before sending.'
    }
    Inputs      = @('OutlookQrGuard.DriftDifference, or any object with What, From, To and Severity properties')
    Examples    = @(
        @{
            Title   = 'Send the check result every day from a runbook'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com -RuleId dcr-0a5e3b1c2d4f40a1b2c3d4e5f6a7b8c9'
            Remarks = 'One CheckResult row in OutlookQrGuard_CL. The runbook''s managed identity needs Monitoring Metrics Publisher on the rule.'
        }
        @{
            Title   = 'Send the check and the QR-code sign-ins of the last 7 days'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -IncludeEvidence -EvidenceSince (Get-Date).AddDays(-7)'
            Remarks = 'The summary line tells how many rows and batches went.'
        }
        @{
            Title   = 'Send drift differences from the pipeline'
            Code    = '$differences | Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -SkipCheck'
            Remarks = 'Each object with What, From, To and Severity becomes one DriftDifference row.'
        }
        @{
            Title   = 'See what would be sent'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -IncludeEvidence -WhatIf'
            Remarks = 'Counts the rows, batches and bytes; nothing is sent.'
        }
    )
    Links       = @('Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Connect-OutlookQrGuard')
}
