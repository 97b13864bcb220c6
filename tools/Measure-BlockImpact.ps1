#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Times Get-OutlookQrBlockImpact against Get-OutlookQrSigninEvidence on the same emulated tenant.
.DESCRIPTION
    Starts one tenant emulator (default 50,000 users, 100,000 devices: about 173,000 seeded sign-ins),
    creates the module's report-only block with Block-OutlookAuthenticationTransfer, dates it 40 days
    back through the emulator's control API (so every seeded sign-in was evaluated against it), then
    runs each listing -Runs times in this process and prints the median wall time, the rows and the
    sign-in pages each read. Both listings send the same server-side query; the impact listing adds
    the Prefer header and the per user and app counting.
.EXAMPLE
    pwsh tools/Measure-BlockImpact.ps1 -ModulePath out/OutlookQrGuard -EmulatorPath target/debug/tenant-emulator
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [int] $Users = 50000,
    [int] $Devices = 100000,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    # Sign-in log token bucket (requests per second; 0 = off, the emulator's default is 5).
    [double] $SignInRate = 0
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
$env:OQG_EMULATOR_PATH = (Resolve-Path $EmulatorPath).Path
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestTenant.psm1') -Force

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

Write-Host "==> Starting the tenant emulator: $Users users, $Devices devices, sign-in rate $SignInRate/s"
$tenant = Start-TestTenant -Users $Users -Devices $Devices -ExtraArguments @('--signin-rate', $SignInRate)
try {
    $null = Connect-TestTenant $tenant
    $block = Block-OutlookAuthenticationTransfer -Confirm:$false
    Set-TenantCaPolicyAge $tenant -PolicyId $block.PolicyId -Days 40
    $results = foreach ($case in @(
            @{ Name = 'Get-OutlookQrSigninEvidence'; Script = { Get-OutlookQrSigninEvidence } }
            @{ Name = 'Get-OutlookQrBlockImpact'; Script = { Get-OutlookQrBlockImpact 6>$null } }
        )) {
        $times = @(); $count = 0; $pages = 0
        for ($i = 0; $i -lt $Runs; $i++) {
            Reset-TenantJournal $tenant
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $count = (& $case.Script | Measure-Object).Count
            $sw.Stop()
            $times += $sw.Elapsed.TotalSeconds
            $pages = @(Get-TenantRequest $tenant 'GraphSignIns').Count
        }
        [pscustomobject]@{ Listing = $case.Name; MedianSeconds = [math]::Round((Get-Median $times), 2); Runs = ($times | ForEach-Object { [math]::Round($_, 2) }) -join ', '; Objects = $count; SignInPages = $pages }
    }
    $results | Format-Table -AutoSize | Out-Host
    $ratio = $results[1].MedianSeconds / [math]::Max(0.001, $results[0].MedianSeconds)
    Write-Host ('Impact listing / evidence listing: {0:N2}' -f $ratio)
    $results
}
finally {
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $tenant
}
