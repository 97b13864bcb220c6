#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Measures Get-OutlookQrFleetStatus over N emulated tenants at once against one after another
    (-ThrottleLimit N vs -ThrottleLimit 1), on ONE multi-tenant emulator process.

.DESCRIPTION
    Starts tenant-emulator --tenants N with a per-page latency (the services' list pages are not
    instant), connects every tenant with its client-secret app, runs the fleet check once to warm
    up, then -Repeat times each way. Prints one JSON line: the medians and sequential/concurrent.

.EXAMPLE
    pwsh tools/Measure-FleetConcurrency.ps1 -ModulePath out/OutlookQrGuard -EmulatorPath target/debug/tenant-emulator -Tenants 8
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [ValidateRange(2, 64)] [int] $Tenants = 8,
    [int] $LatencyMs = 20,
    [int] $Users = 40,
    [int] $Devices = 80,
    [ValidateRange(1, 20)] [int] $Repeat = 3
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$env:OQG_EMULATOR_PATH = (Resolve-Path $EmulatorPath).Path
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestTenant.psm1')

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)]
}

$tenant = Start-TestTenant -Users $Users -Devices $Devices -ExtraArguments @('--tenants', $Tenants, '--page-latency-ms', $LatencyMs, '--signin-rate', '0')
try {
    $sessions = for ($i = 0; $i -lt $Tenants; $i++) { Connect-TestTenant (Select-TestTenant $tenant $i) }
    $null = Get-OutlookQrFleetStatus -Session $sessions -ThrottleLimit $Tenants -WarningAction SilentlyContinue
    $one = @(); $all = @()
    for ($r = 0; $r -lt $Repeat; $r++) {
        $one += (Measure-Command { $script:rowsOne = Get-OutlookQrFleetStatus -Session $sessions -ThrottleLimit 1 -WarningAction SilentlyContinue }).TotalSeconds
        $all += (Measure-Command { $script:rowsAll = Get-OutlookQrFleetStatus -Session $sessions -ThrottleLimit $Tenants -WarningAction SilentlyContinue }).TotalSeconds
    }
    $errors = @($rowsOne + $rowsAll | Where-Object { $_.Errors.Count -gt 0 }).Count
    $sequential = Get-Median $one
    $concurrent = Get-Median $all
    [ordered]@{
        tenants           = $Tenants
        latencyMs         = $LatencyMs
        sequentialSeconds = [math]::Round($sequential, 3)
        concurrentSeconds = [math]::Round($concurrent, 3)
        ratio             = [math]::Round($sequential / $concurrent, 2)
        sequentialRuns    = $one | ForEach-Object { [math]::Round($_, 3) }
        concurrentRuns    = $all | ForEach-Object { [math]::Round($_, 3) }
        rowsWithErrors    = $errors
    } | ConvertTo-Json -Compress
}
finally {
    Stop-TestTenant $tenant
}
