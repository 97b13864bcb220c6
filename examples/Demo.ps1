<#
.SYNOPSIS
    The demo: an admin's whole job against a local tenant emulator (no Microsoft 365 needed).
.DESCRIPTION
    Started by `./build.sh Demo` (or `pwsh ./build.ps1 -Task Demo`). It starts the tenant emulator
    seeded with a realistic tenant (thousands of users and devices, Japanese names included),
    connects the module to it, and runs: check both layers -> disable the prompt -> block
    authentication transfer at Entra ID (report-only) -> what enforcing it would break (the
    report-only results, before any -Enforce advice) -> the sign-in evidence -> export the
    connected phones to CSV with that evidence -> the audit report -> revoke the sessions of the
    users the logs caught (-WhatIf), for those who must be cut off before the enforced block reaches
    their phones at the next token refresh. Output files go to -OutputDirectory.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [int] $Users = 3000,
    [int] $Devices = 6000
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$null = New-Item -ItemType Directory -Force $OutputDirectory

function Write-Stage([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }

$ready = Join-Path $OutputDirectory 'emulator.json'
Remove-Item -Force -ErrorAction SilentlyContinue $ready
Write-Stage "Starting the tenant emulator ($Users users, $Devices devices) on 127.0.0.1"
$emulator = Start-Process -FilePath $EmulatorPath -PassThru -ArgumentList @(
    '--users', $Users, '--devices', $Devices, '--port', 0, '--ready-file', $ready, '--ignore-stdin'
) -RedirectStandardOutput (Join-Path $OutputDirectory 'emulator.out') -RedirectStandardError (Join-Path $OutputDirectory 'emulator.err')
try {
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Test-Path $ready) -or -not (Get-Content -Raw $ready)) {
        if ($emulator.HasExited) { throw "The emulator stopped: $(Get-Content -Raw (Join-Path $OutputDirectory 'emulator.err'))" }
        if ((Get-Date) -gt $deadline) { throw 'The emulator did not start within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    $tenant = Get-Content -Raw $ready | ConvertFrom-Json
    $app = $tenant.credentials.secretApp
    Write-Host "Emulator at $($tenant.baseUrl) (test CA: $($tenant.caCertificatePath))"

    Write-Stage 'Connect-OutlookQrGuard (app-only, client secret)'
    $connect = @{
        Organization               = $tenant.credentials.tenantDomain
        AppId                      = $app.clientId
        ClientSecret               = ConvertTo-SecureString $app.clientSecret -AsPlainText -Force
        AuthorityUri               = $tenant.baseUrl
        ExchangeUri                = $tenant.baseUrl
        GraphUri                   = $tenant.baseUrl
        TrustedRootCertificatePath = $tenant.caCertificatePath
    }
    Connect-OutlookQrGuard @connect | Format-List Organization, Tenant, AuthenticationMethod, AppId | Out-Host

    Write-Stage '1. Check both layers: the Outlook on the web prompt, and Conditional Access at Entra ID'
    Test-OutlookQrSignin | Format-List | Out-Host

    Write-Stage '2. Turn the prompt off (Microsoft: the change may take up to 8 hours to reach users; it ends no session)'
    Disable-OutlookQrSignin -Confirm:$false -PassThru | Format-Table -AutoSize | Out-Host

    Write-Stage '3. Block authentication transfer at Entra ID (report-only first; -WhatIf shows the exact request)'
    Block-OutlookAuthenticationTransfer -WhatIf
    $block = Block-OutlookAuthenticationTransfer -Confirm:$false
    $block | Format-List | Out-Host

    Write-Stage '3b. Two weeks later: what would enforcing the block break? (report-only results in the sign-in logs)'
    # Emulator only: its control API dates the policy 14 days back, so the seeded sign-ins of those two weeks
    # were evaluated against it, as a real tenant's would have been while the policy ran report-only.
    $null = Invoke-RestMethod -Method Post -SkipCertificateCheck -Uri "$($tenant.baseUrl)/_emulator/conditional-access/policies/$($block.PolicyId)/backdate" `
        -Headers @{ 'X-Emulator-Control-Key' = $tenant.credentials.controlKey } -ContentType 'application/json' -Body '{"days":14}'
    $impact = @(Get-OutlookQrBlockImpact)
    $impact | Select-Object -First 5 | Format-Table UserPrincipalName, App, SignIns, LastSignIn, BreakGlass, ExcludedNow -AutoSize | Out-Host
    $check = Test-OutlookQrSignin
    Write-Host "Verdict now: $($check.Verdict); Conditional Access: $($check.ConditionalAccessState) ($(@($check.TransferBlockPolicies).Count) policy)."
    Write-Host ('Would have been blocked: {0:N0} users, {1:N0} sign-ins; break-glass accounts among them: {2}' -f $check.WouldBlockUsers, $check.WouldBlockSignIns, (@($check.WouldBlockBreakGlassUsers).Count))
    # The -Enforce advice only ever comes with this evidence (Test-OutlookQrSignin, the report).
    Write-Host "Recommendation: $($check.EnforceRecommendation)"
    # Microsoft, "Conditional Access: Authentication flows" (protocol tracking): transfer-originated sessions stay
    # subject to the policy through their refreshes. Not verifiable in the emulator (no refresh tokens modelled).
    Write-Host 'Enforced, it also stops the phones already connected through the QR code at their next token refresh (Microsoft: protocol-tracked sessions are subject to the policy), without signing those users out elsewhere.'

    Write-Stage '4. Evidence: who signed in through the QR code (sign-in logs, last 30 days)'
    $evidence = @(Get-OutlookQrSigninEvidence)
    $qrUsers = @($evidence | Group-Object UserPrincipalName | Sort-Object Count -Descending)
    Write-Host ('{0:N0} authentication-transfer sign-ins by {1:N0} users' -f $evidence.Length, $qrUsers.Length)
    $evidence | Where-Object EventType -EQ 'interactiveUser' | Select-Object -First 5 | Format-Table Time, UserPrincipalName, DeviceOS, Location -AutoSize | Out-Host

    Write-Stage '5. Find the phones already connected (Outlook for iOS and Android) and export them, with the evidence'
    $csv = Join-Path $OutputDirectory 'outlook-mobile-devices.csv'
    $file = Export-OutlookMobileDevice -Path $csv -Force -PassThru -IncludeSigninEvidence
    # The procedure tells the admin to look in column O or AP: show that they hold what it says.
    $columns = @((Get-Content -LiteralPath $csv -TotalCount 1 -Encoding utf8) -split ',' | ForEach-Object { $_.Trim('"') })
    Write-Host ("Columns as in the procedure: O = {0}, AP = {1}" -f $columns[14], $columns[41])
    $phones = @(Get-OutlookMobileDevice)
    $perUser = @($phones | Group-Object UserDisplayNameNew | Sort-Object Count -Descending)
    $top = ($perUser | Select-Object -First 3 | ForEach-Object { '{0} ({1})' -f $_.Name, $_.Group.Count }) -join ', '
    Write-Host ('{0:N0} devices, {1:N0} users; most devices: {2}' -f $phones.Length, $perUser.Length, $top)
    Import-Csv $csv | Where-Object { $_.TransferSignInCount -and $_.TransferSignInCount -ne '0' } | Select-Object -First 5 |
        Format-Table UserDisplayNameNew, DeviceOS, TransferSignInCount, TransferLastSignIn -AutoSize | Out-Host

    Write-Stage '6. The audit report (HTML for a manager; JSON and CSV for tools)'
    $report = Get-OutlookQrGuardReport -Format Html -Path (Join-Path $OutputDirectory 'outlook-qr-audit.html') -Force
    $null = Get-OutlookQrGuardReport -Format Json -Path (Join-Path $OutputDirectory 'outlook-qr-audit.json') -Force
    Write-Host "Report: $($report.FullName)"

    Write-Stage '7. Cut them off now (the enforced block waits for the next token refresh): revoke the sessions of the users the sign-in logs caught (-WhatIf here; first 5 users)'
    $qrUsers | Select-Object -First 5 | ForEach-Object { $_.Group[0] } | Revoke-OutlookMobileSignin -WhatIf
    Write-Host ("Without -WhatIf, 'Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin' would revoke {0:N0} users' sessions (one per user, however many sign-ins); 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin' all {1:N0} device owners'." -f $qrUsers.Length, $perUser.Length)

    Write-Stage 'Done'
    Write-Host "CSV (UTF-8 with BOM, opens in Excel): $($file.FullName)"
    Write-Host "Audit report (open in a browser):    $($report.FullName)"
    Disconnect-OutlookQrGuard
}
finally {
    if (-not $emulator.HasExited) { Stop-Process -Id $emulator.Id -Force }
}
