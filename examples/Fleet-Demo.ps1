<#
.SYNOPSIS
    The fleet demo: many tenants in one run, against ONE local emulator process serving six
    tenants (no Microsoft 365 needed).
.DESCRIPTION
    Started by `pwsh ./build.ps1 -Task Demo` after the single-tenant demo (or on its own with the
    module and emulator paths). The emulator serves contoso (prompt shown, nothing blocked),
    fabrikam (prompt hidden), northwind (report-only Conditional Access block), adatum (enforced
    block), tailspin (no Entra ID P1 licence) and litware (the app registrations were removed:
    its sign-in fails). The admin's list is a CSV, as for a real fleet:
      1. Import-Csv tenants.csv | Connect-OutlookQrGuard: one session per row; litware's row fails
         with Entra's own error and the others carry on.
      2. Get-OutlookQrFleetStatus -ThrottleLimit 4: one row per tenant, every layer, the evidence.
      3. The fleet page (HTML + JSON), worst tenants first.
      4. A drift baseline per tenant (Test-OutlookQrSignin -BaselinePath -UpdateBaseline).
      5. Hide the prompt wherever the verdict is Exposed (rows piped straight on); someone turns
         fabrikam's prompt back on. A second run shows the change between the two runs, and each
         tenant's comparison with its baseline lists the drift (Better / Worse, from, to).
    Output files go to -OutputDirectory.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [int] $Users = 300,
    [int] $Devices = 600
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$null = New-Item -ItemType Directory -Force $OutputDirectory

function Write-Stage([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }

$mix = Join-Path $OutputDirectory 'fleet-tenants.json'
@(
    @{}
    @{ promptEnabled = $false }
    @{ transferBlock = 'ReportOnly' }
    @{ transferBlock = 'Enforced'; promptEnabled = $false }
    @{ premium = $false }
    @{ appsRemoved = $true }
) | ConvertTo-Json -AsArray | Set-Content $mix
$ready = Join-Path $OutputDirectory 'fleet-emulator.json'
Remove-Item -Force -ErrorAction SilentlyContinue $ready
Write-Stage "Starting one emulator process serving six tenants ($Users users, $Devices devices each)"
$emulator = Start-Process -FilePath $EmulatorPath -PassThru -ArgumentList @(
    '--users', $Users, '--devices', $Devices, '--tenants-file', $mix, '--port', 0, '--ready-file', $ready, '--ignore-stdin'
) -RedirectStandardOutput (Join-Path $OutputDirectory 'fleet-emulator.out') -RedirectStandardError (Join-Path $OutputDirectory 'fleet-emulator.err')
try {
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (Test-Path $ready) -or -not (Get-Content -Raw $ready)) {
        if ($emulator.HasExited) { throw "The emulator stopped: $(Get-Content -Raw (Join-Path $OutputDirectory 'fleet-emulator.err'))" }
        if ((Get-Date) -gt $deadline) { throw 'The emulator did not start within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    $info = Get-Content -Raw $ready | ConvertFrom-Json

    # The admin's list: one row per tenant, each app's certificate as a PFX file (one password for
    # the list; real fleets keep it in a vault, never in the CSV).
    $pfxPassword = ConvertTo-SecureString ([guid]::NewGuid().ToString()) -AsPlainText -Force
    $plain = [Net.NetworkCredential]::new('', $pfxPassword).Password
    $rows = foreach ($t in $info.tenants) {
        $cert = [Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12([Convert]::FromBase64String($t.certificateApp.pfxBase64), $t.certificateApp.pfxPassword, 'Exportable')
        $pfx = Join-Path $OutputDirectory "$($t.tenantDomain).pfx"
        [IO.File]::WriteAllBytes($pfx, $cert.Export('Pkcs12', $plain))
        [pscustomobject]@{ Organization = $t.tenantDomain; AppId = $t.certificateApp.clientId; CertificateThumbprint = ''; CertificatePath = $pfx; ManagedIdentity = '' }
    }
    $csv = Join-Path $OutputDirectory 'tenants.csv'
    $rows | Export-Csv -NoTypeInformation $csv
    Write-Host "The admin's list: $csv"
    Import-Csv $csv | Format-Table Organization, AppId, CertificatePath | Out-Host

    # What differs from Microsoft 365: the endpoints (one emulator for every tenant).
    $endpoint = @{
        AuthorityUri               = $info.baseUrl
        ExchangeUri                = $info.baseUrl
        GraphUri                   = $info.baseUrl
        TrustedRootCertificatePath = $info.caCertificatePath
    }

    Write-Stage '1. Import-Csv tenants.csv | Connect-OutlookQrGuard (one session per row; a failing row does not stop the others)'
    $sessions = @(Import-Csv $csv | Connect-OutlookQrGuard @endpoint -CertificatePassword $pfxPassword -ErrorVariable failed -ErrorAction SilentlyContinue)
    $sessions | Format-Table Organization, Tenant, AuthenticationMethod | Out-Host
    foreach ($f in $failed) { Write-Host "Not connected: $f" -ForegroundColor Yellow }

    Write-Stage '2. Get-OutlookQrFleetStatus -ThrottleLimit 4 (every layer and the evidence, tenants side by side)'
    $first = @($sessions | Get-OutlookQrFleetStatus -ThrottleLimit 4 -WarningAction SilentlyContinue)
    $first | Format-Table | Out-Host
    $first | Where-Object { $_.Errors.Count } | ForEach-Object { Write-Host "$($_.Tenant): $($_.Errors -join ' | ')" -ForegroundColor Yellow }

    Write-Stage '3. The fleet page, worst tenants first'
    $first | Get-OutlookQrGuardReport -Path (Join-Path $OutputDirectory 'fleet.html') -Force | Out-Host
    $first | Get-OutlookQrGuardReport -Format Json -Path (Join-Path $OutputDirectory 'fleet.json') -Force | Out-Host

    Write-Stage '4. A drift baseline per tenant (Test-OutlookQrSignin -BaselinePath ... -UpdateBaseline)'
    $baselines = @{}
    foreach ($s in $sessions) {
        $baselines[$s.Organization] = Join-Path $OutputDirectory "baseline-$($s.Organization).json"
        Remove-Item -Force -ErrorAction SilentlyContinue $baselines[$s.Organization]
        $null = Test-OutlookQrSignin -Session $s -BaselinePath $baselines[$s.Organization] -UpdateBaseline -Confirm:$false -WarningAction SilentlyContinue
    }
    $baselines.Values | Sort-Object | ForEach-Object { Write-Host "  $_" }

    Write-Stage '5. Hide the prompt wherever the verdict is Exposed (the rows carry their sessions); someone turns fabrikam''s back on; run again'
    $first | Where-Object Verdict -eq 'Exposed' | Disable-OutlookQrSignin -Confirm:$false -PassThru -WarningAction SilentlyContinue | Format-Table -AutoSize | Out-Host
    $fabrikam = $sessions | Where-Object Organization -like 'fabrikam*'
    if ($fabrikam) { $null = Enable-OutlookQrSignin -Session $fabrikam -Confirm:$false -WarningAction SilentlyContinue }
    $second = @($sessions | Get-OutlookQrFleetStatus -ThrottleLimit 4 -WarningAction SilentlyContinue)
    Write-Host 'What changed between the two runs:'
    for ($i = 0; $i -lt $first.Count; $i++) {
        if ($first[$i].Verdict -ne $second[$i].Verdict -or $first[$i].Prompt -ne $second[$i].Prompt) {
            Write-Host ('  {0}: {1}/{2} -> {3}/{4}' -f $first[$i].Tenant, $first[$i].Verdict, $first[$i].Prompt, $second[$i].Verdict, $second[$i].Prompt)
        }
    }
    Write-Host 'Drift since the baselines (Test-OutlookQrSignin -BaselinePath, per tenant):'
    $drift = foreach ($s in $sessions) {
        Test-OutlookQrSignin -Session $s -BaselinePath $baselines[$s.Organization] -WarningAction SilentlyContinue
    }
    foreach ($d in $drift) { Write-Host ("  {0} [{1}] {2}: '{3}' -> '{4}'" -f $d.Organization, $d.Severity, $d.What, $d.From, $d.To) }
    $worse = @($drift | Where-Object Severity -eq 'Worse')
    Write-Host ("{0} tenant(s) got worse since the baseline: {1}" -f @($worse.Organization | Sort-Object -Unique).Count, ((@($worse.Organization | Sort-Object -Unique)) -join ', ')) -ForegroundColor Yellow
    $sessions | Disconnect-OutlookQrGuard
}
finally {
    if (-not $emulator.HasExited) { Stop-Process -Id $emulator.Id -Force }
}
