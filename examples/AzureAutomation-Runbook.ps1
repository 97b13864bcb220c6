<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4 runtime): check the Outlook QR sign-in prompt, turn it
    off, export the connected Outlook mobile devices, and write the audit report.
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
    [string] $DataCollectionEndpoint,
    [string] $DataCollectionRuleId
)
$ErrorActionPreference = 'Stop'
Import-Module OutlookQrGuard

$connect = @{ Organization = $Organization; ManagedIdentity = $true }
if ($ManagedIdentityAccountId) { $connect.ManagedIdentityAccountId = $ManagedIdentityAccountId }
$session = Connect-OutlookQrGuard @connect
Write-Output "Connected to $($session.Organization) with the managed identity."

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
$csv = Join-Path ([IO.Path]::GetTempPath()) "outlook-mobile-devices-$stamp.csv"
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

# 6. Optionally send the check and the QR-code sign-ins to Log Analytics / Sentinel.
if ($DataCollectionEndpoint -and $DataCollectionRuleId) {
    $sent = Send-OutlookQrGuardLog -DataCollectionEndpoint $DataCollectionEndpoint -RuleId $DataCollectionRuleId -IncludeEvidence -EvidenceSince (Get-Date).AddDays(-1)
    Write-Output "Sent $($sent.Rows) rows to Log Analytics in $($sent.Batches) batch(es)."
}

Disconnect-OutlookQrGuard
