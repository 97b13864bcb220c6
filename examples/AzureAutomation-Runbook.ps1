<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4 runtime): check the Outlook QR sign-in prompt, turn it
    off, export the connected Outlook mobile devices, and write the audit report; with
    -BaselineVariable, also watch for drift and fail the job when the tenant got worse.
.DESCRIPTION
    Runs unattended with the Automation account's managed identity: no prompt, no stored secret.
    Prerequisites (see the README, "Azure Automation"):
      - the OutlookQrGuard module imported into the Automation account (runtime 7.4);
      - the account's system-assigned identity (or a user-assigned one: pass -ManagedIdentityAccountId)
        granted Exchange.ManageAsApp + the Exchange Administrator role, and on Graph
        User.RevokeSessions.All (only if -RevokeSessions is used).
    Outputs go to the job's output stream; the CSV and report are written to the sandbox's temp
    folder (upload them to a storage account or mail them from here if you need to keep them).
.PARAMETER Organization
    The tenant's initial domain, e.g. contoso.onmicrosoft.com.
.PARAMETER ManagedIdentityAccountId
    Client id of a user-assigned managed identity; omit for the system-assigned one.
.PARAMETER RevokeSessions
    Also revoke the sign-in sessions of every user with an Outlook mobile device. Off by default:
    review the export first.
.PARAMETER BaselineVariable
    Name of an Automation string variable that keeps the drift baseline (the snapshot JSON) between
    jobs; the sandbox's disk does not survive a job. Create it once (type String, empty or "Not
    defined"; encrypted or not). Each job compares the tenant with it before changing anything and
    fails (throws, so the job's status is Failed and a "failed jobs" alert fires) when something
    got worse: the baseline is then kept, so every run fails until someone fixes the tenant or
    accepts the change with -AcceptWorse. Otherwise the state after this job becomes the baseline.
.PARAMETER AcceptWorse
    Accept a worse state as the new baseline (after reviewing it) instead of failing the job.
.PARAMETER DataCollectionEndpoint
    With -DataCollectionRuleId: also send the check result and the QR-code sign-ins to Log
    Analytics / Sentinel (README, "Send results to Log Analytics / Sentinel"); the identity needs
    Monitoring Metrics Publisher on the rule.
.PARAMETER DataCollectionRuleId
    The data collection rule's immutable id (dcr-...).
#>
param(
    [Parameter(Mandatory)] [string] $Organization,
    [string] $ManagedIdentityAccountId,
    [switch] $RevokeSessions,
    [string] $BaselineVariable,
    [switch] $AcceptWorse,
    [string] $DataCollectionEndpoint,
    [string] $DataCollectionRuleId
)
$ErrorActionPreference = 'Stop'
Import-Module OutlookQrGuard

$connect = @{ Organization = $Organization; ManagedIdentity = $true }
if ($ManagedIdentityAccountId) { $connect.ManagedIdentityAccountId = $ManagedIdentityAccountId }
$session = Connect-OutlookQrGuard @connect
Write-Output "Connected to $($session.Organization) with the managed identity."

# 0. Drift since the last job, before this job changes anything. The baseline lives in an
#    Automation variable (Get-/Set-AutomationVariable: the sandbox's files are gone after the job).
$worse = @()
if ($BaselineVariable) {
    $baselineFile = Join-Path ([IO.Path]::GetTempPath()) "outlook-qr-baseline-$([guid]::NewGuid().ToString('N')).json"
    $saved = Get-AutomationVariable -Name $BaselineVariable
    if ($saved) { [IO.File]::WriteAllText($baselineFile, [string]$saved) }
    $drift = @(Test-OutlookQrSignin -BaselinePath $baselineFile -WarningAction Continue)
    foreach ($d in $drift) { Write-Output "Drift ($($d.Severity)): $($d.What): '$($d.From)' -> '$($d.To)'" }
    $worse = @($drift | Where-Object Severity -EQ 'Worse')
    if (-not $drift) { Write-Output 'Drift: no change since the baseline.' }
}

# 1. Check.
$check = Test-OutlookQrSignin
Write-Output "QR sign-in prompt: $($check.Verdict) (MobileAppEducationEnabled = $($check.MobileAppEducationEnabled))"

# 2. Turn it off (idempotent: writes nothing when it already is).
if ($check.MobileAppEducationEnabled) {
    Disable-OutlookQrSignin -Confirm:$false -WarningAction Continue
    Write-Output 'The prompt is now hidden.'
}

# 3. Export the connected phones.
$stamp = Get-Date -Format 'yyyyMMdd-HHmmss'
# The stamp names the export; the GUID part keeps two jobs in the same second (or a rerun on a
# sandbox that kept its temp folder) from meeting the export's refusal to overwrite a file.
$csv = Join-Path ([IO.Path]::GetTempPath()) "outlook-mobile-devices-$stamp-$([guid]::NewGuid().ToString('N').Substring(0, 8)).csv"
$file = Export-OutlookMobileDevice -Path $csv -PassThru -Quiet
Write-Output "Exported to $($file.FullName) ($($file.Length) bytes)."

# 4. The audit report (JSON is easiest to post on to other systems from a runbook).
$report = Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
Write-Output "$($report.outlookMobileDevices) Outlook mobile devices of $($report.usersWithDevices) users."
$report.recommendations | ForEach-Object { Write-Output " - $_" }

# 5. Optionally cut them off.
if ($RevokeSessions) {
    $results = Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ErrorAction Continue
    $results | Group-Object Status | ForEach-Object { Write-Output "$($_.Name): $($_.Count) user(s)" }
}

# 6. Optionally send the check, the drift differences and the QR-code sign-ins to Log Analytics /
#    Sentinel (before a worse state fails the job, so the SOC sees it too).
if ($DataCollectionEndpoint -and $DataCollectionRuleId) {
    $sent = Send-OutlookQrGuardLog -DataCollectionEndpoint $DataCollectionEndpoint -RuleId $DataCollectionRuleId -IncludeEvidence -EvidenceSince (Get-Date).AddDays(-1)
    if ($drift) {
        $null = $drift | Send-OutlookQrGuardLog -DataCollectionEndpoint $DataCollectionEndpoint -RuleId $DataCollectionRuleId -SkipCheck
    }
    Write-Output "Sent $($sent.Rows) rows to Log Analytics in $($sent.Batches) batch(es)."
}

# 7. Fail the job when the tenant got worse (the baseline is kept); otherwise keep this state.
if ($BaselineVariable) {
    if ($worse.Count -and -not $AcceptWorse) {
        Disconnect-OutlookQrGuard
        Remove-Item -LiteralPath $baselineFile -ErrorAction SilentlyContinue
        throw "The Outlook QR sign-in posture got worse since the baseline: $(($worse | ForEach-Object { "$($_.What): '$($_.From)' -> '$($_.To)'" }) -join '; '). The baseline was kept; fix the tenant, or run with -AcceptWorse to accept this state."
    }
    $null = Test-OutlookQrSignin -BaselinePath $baselineFile -UpdateBaseline -Confirm:$false -WarningAction SilentlyContinue
    Set-AutomationVariable -Name $BaselineVariable -Value ([IO.File]::ReadAllText($baselineFile))
    Remove-Item -LiteralPath $baselineFile -ErrorAction SilentlyContinue
    Write-Output "Baseline updated in the Automation variable '$BaselineVariable'."
}

Disconnect-OutlookQrGuard
