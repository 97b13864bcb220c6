#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Benchmarks OutlookQrGuard against the plain-PowerShell procedure, side by side, on ONE tenant emulator.

.DESCRIPTION
    Prints a Markdown table and writes it to <OutputDirectory>/<timestamp>.md and latest.md
    (<timestamp>-small.md and latest-small.md for -Size Small):
      1. Export of N Outlook devices: Export-OutlookMobileDevice vs the plain-PowerShell procedure
         (Invoke-RestMethod paging through InvokeCommand | Select-Object * + UserDisplayNameNew |
         Export-Csv) vs the floor (pages x page latency). Ratios ours/floor and PowerShell/ours.
      2. Import-Module time in a cold pwsh (median of 5), with the bare pwsh start for context.
      3. Peak memory (VmHWM) growth of a pwsh process that exports, vs the same process after
         import + connect only; the same for the plain-PowerShell procedure.
      4. Get-OutlookMobileDevice | Measure-Object, objects/s.
    Each measured workload runs in its own child pwsh so memory and JIT state do not leak between them.
    Absolute times are context only (shared, noisy machines); the ratios are the result.

.EXAMPLE
    ./tools/Invoke-Benchmark.ps1 -ModulePath out/OutlookQrGuard -EmulatorPath target/release/tenant-emulator -OutputDirectory bench/results -Size Small
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    # Full: 100,000 Outlook devices, 20 ms per page. Small (CI): 5,000 devices, 5 ms per page.
    [ValidateSet('Small', 'Full')] [string] $Size = 'Full',
    # Overrides the size's Outlook device count.
    [int] $Devices,
    # The plain-PowerShell procedure reads at most this many pages and is scaled per device to N
    # (it takes minutes at full size). 0 = every page.
    [int] $PowerShellMaxPages = -1,
    [int] $ImportRuns = 5,
    # Our export and Get run this many times (fresh process each); the median time is reported.
    [ValidateRange(1, 20)] [int] $Repeat = 3
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$presets = @{
    Small = @{ Devices = 5000; LatencyMs = 5; PowerShellMaxPages = 0 }
    Full  = @{ Devices = 100000; LatencyMs = 20; PowerShellMaxPages = 20 }
}
$preset = $presets[$Size]
$N = $Devices -gt 0 ? $Devices : $preset.Devices
$latencyMs = $preset.LatencyMs
$psMaxPages = $PowerShellMaxPages -ge 0 ? $PowerShellMaxPages : $preset.PowerShellMaxPages
$pageSize = 1000

$ModulePath = (Resolve-Path $ModulePath).Path
$EmulatorPath = (Resolve-Path $EmulatorPath).Path
$null = New-Item -ItemType Directory -Force $OutputDirectory
$OutputDirectory = (Resolve-Path $OutputDirectory).Path
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$env:OQG_EMULATOR_PATH = $EmulatorPath
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestTenant.psm1') -Force

$work = Join-Path ([IO.Path]::GetTempPath()) "oqg-bench-$PID"
$null = New-Item -ItemType Directory -Force $work

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $mid = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$mid] }
    return ($sorted[$mid - 1] + $sorted[$mid]) / 2
}

# The workloads, each run in a fresh pwsh. It prints one JSON line last: its timings and VmHWM readings.
$childScript = Join-Path $work 'child.ps1'
Set-Content -Path $childScript -Encoding utf8 -Value @'
param([string] $Mode, [string] $ModulePath, [string] $TestTenantPath, [string] $TenantFile, [string] $CsvPath, [int] $MaxPages)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
function Get-PeakKiB {
    if (-not (Test-Path /proc/self/status)) { return $null }
    $line = Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)' | Select-Object -First 1
    [long] $line.Matches[0].Groups[1].Value
}
$info = Get-Content -Raw $TenantFile | ConvertFrom-Json
$tenant = [pscustomobject]@{ BaseUrl = $info.baseUrl; CaPath = $info.caCertificatePath; Credentials = $info.credentials }
$result = [ordered]@{ mode = $Mode }
switch ($Mode) {
    'Ours' {
        Import-Module $ModulePath
        Import-Module $TestTenantPath
        $null = Connect-TestTenant -Tenant $tenant
        $result.baselineKiB = Get-PeakKiB
        $elapsed = Measure-Command { Export-OutlookMobileDevice -Path $CsvPath -Force -Quiet }
        $result.peakKiB = Get-PeakKiB
        $result.seconds = $elapsed.TotalSeconds
    }
    'Get' {
        Import-Module $ModulePath
        Import-Module $TestTenantPath
        $null = Connect-TestTenant -Tenant $tenant
        $count = 0
        $elapsed = Measure-Command { $count = (Get-OutlookMobileDevice | Measure-Object).Count }
        $result.seconds = $elapsed.TotalSeconds
        $result.devices = $count
    }
    'PowerShell' {
        # The seed procedure, as an admin would write it with nothing but PowerShell.
        Import-Module $TestTenantPath
        $token = Get-TenantAccessToken -Tenant $tenant -Resource Exchange
        $domain = $info.credentials.tenantDomain
        $result.baselineKiB = Get-PeakKiB
        $pages = 0
        $elapsed = Measure-Command {
            $headers = @{
                Authorization     = "Bearer $token"
                'X-AnchorMailbox' = "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$domain"
                Prefer            = 'odata.maxpagesize=1000'
            }
            $body = '{"CmdletInput":{"CmdletName":"Get-MobileDevice","Parameters":{"Filter":"DeviceModel -eq ''Outlook for iOS and Android''","ResultSize":"Unlimited"}}}'
            $uri = "$($info.baseUrl)/adminapi/beta/$domain/InvokeCommand"
            $devices = while ($uri) {
                $page = Invoke-RestMethod -Method POST -Uri $uri -Headers $headers -Body $body -ContentType 'application/json' -SkipCertificateCheck
                $pages++
                $page.value
                $next = $page.PSObject.Properties['@odata.nextLink']
                $uri = $next ? $next.Value : $null
                if ($MaxPages -gt 0 -and $pages -ge $MaxPages) { $uri = $null }
            }
            $devices | Select-Object *, @{ n = 'UserDisplayNameNew'; e = { ($_.Identity -split '\\')[0] } } |
                Export-Csv -Path $CsvPath -Encoding UTF8 -NoTypeInformation
        }
        $result.peakKiB = Get-PeakKiB
        $result.seconds = $elapsed.TotalSeconds
        $result.pages = $pages
        $result.devices = $devices.Count
    }
}
$result | ConvertTo-Json -Compress
'@

function Invoke-Child([string] $Mode, [string] $CsvPath = '', [int] $MaxPages = 0) {
    $output = & $pwsh -NoProfile -NonInteractive -File $childScript -Mode $Mode -ModulePath $ModulePath `
        -TestTenantPath (Join-Path $PSScriptRoot '../tests/pester/TestTenant.psm1') -TenantFile $tenant.ReadyFile `
        -CsvPath $CsvPath -MaxPages $MaxPages
    if ($LASTEXITCODE -ne 0) { throw "The '$Mode' benchmark child failed (exit $LASTEXITCODE): $($output -join "`n")" }
    ($output | Select-Object -Last 1) | ConvertFrom-Json
}

# Every InvokeCommand page the emulator served since the last reset, by cmdlet (each one waited the page latency).
function Get-ExchangePage {
    @((Get-TenantJournal $tenant).requests | Where-Object endpoint -eq 'ExchangeInvokeCommand') | Group-Object cmdlet
}

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $Measure, [string] $Value, [string] $Target = '', [string] $Note = '') {
    $rows.Add([pscustomobject]@{ Measure = $Measure; Value = $Value; Target = $Target; Note = $Note })
}
function Format-Ratio([double] $Ratio, [string] $Comparison, [double] $Goal) {
    $met = $Comparison -eq 'le' ? $Ratio -le $Goal : $Ratio -ge $Goal
    '{0:N2} {1}' -f $Ratio, ($met ? '(met)' : '(NOT met)')
}
function MiB($KiB) { [math]::Round(($KiB / 1024), 1) }

$totalDevices = [int][math]::Round($N / 0.7)
$users = [math]::Max(2, [int][math]::Round($N / 2))
Write-Host "==> Starting the tenant emulator: $totalDevices devices ($N Outlook expected), $users users, page size $pageSize, $latencyMs ms per page"
$tenant = Start-TestTenant -Users $users -Devices $totalDevices -ExtraArguments @('--page-size', $pageSize, '--page-latency-ms', $latencyMs)
try {
    # 1. Export: ours, in a child that also reports its peak memory.
    Write-Host '==> Export-OutlookMobileDevice'
    Reset-TenantJournal $tenant
    $oursRuns = @(foreach ($i in 1..$Repeat) {
            if ($i -gt 1) { Reset-TenantJournal $tenant }
            Invoke-Child -Mode Ours -CsvPath (Join-Path $work 'ours.csv')
        })
    # Median time; the largest memory growth of the runs (peaks are what an admin's machine must hold).
    $ours = [pscustomobject]@{
        seconds     = Get-Median $oursRuns.seconds
        baselineKiB = $oursRuns[0].baselineKiB
        peakKiB     = $null
    }
    if ($null -ne $oursRuns[0].peakKiB) {
        $worst = $oursRuns | Sort-Object { $_.peakKiB - $_.baselineKiB } | Select-Object -Last 1
        $ours.baselineKiB = $worst.baselineKiB
        $ours.peakKiB = $worst.peakKiB
    }
    $oursPageGroups = @(Get-ExchangePage)
    $oursPages = ($oursPageGroups | Measure-Object -Property Count -Sum).Sum
    $oursPageNote = ($oursPageGroups | ForEach-Object { "$($_.Name): $($_.Count)" }) -join ', '
    # Only list pages wait the latency (Get-OrganizationConfig does not): the emulator's exchange/*.rs.
    $delayedPages = ($oursPageGroups | Where-Object Name -in 'Get-MobileDevice', 'Get-Mailbox' | Measure-Object -Property Count -Sum).Sum
    $floorSeconds = $delayedPages * $latencyMs / 1000.0
    # The seeded ground truth, not a line count (a device name may hold a line break).
    $outlook = @(Get-TenantSeededDevice -Tenant $tenant -Model 'Outlook for iOS and Android').Count

    # 1a. The plain-PowerShell procedure (possibly on the first pages only, scaled per device).
    $limitNote = $psMaxPages -gt 0 ? "first $psMaxPages pages only" : 'every page'
    Write-Host "==> Plain PowerShell procedure ($limitNote)"
    Reset-TenantJournal $tenant
    $plain = Invoke-Child -Mode PowerShell -CsvPath (Join-Path $work 'powershell.csv') -MaxPages $psMaxPages
    $scaled = $plain.devices -lt $outlook
    $plainSeconds = $scaled ? $plain.seconds / $plain.devices * $outlook : $plain.seconds

    # 4. Objects into the pipeline.
    Write-Host '==> Get-OutlookMobileDevice | Measure-Object'
    $getRuns = @(foreach ($i in 1..$Repeat) { Invoke-Child -Mode Get })
    $get = [pscustomobject]@{ seconds = Get-Median $getRuns.seconds; devices = $getRuns[0].devices }

    # 2. Cold Import-Module, and the bare pwsh start for context.
    Write-Host "==> Import-Module, $ImportRuns cold processes"
    $importMs = foreach ($i in 1..$ImportRuns) {
        [double] (& $pwsh -NoProfile -NonInteractive -Command "(Measure-Command { Import-Module '$ModulePath' }).TotalMilliseconds" | Select-Object -Last 1)
    }
    $bareMs = foreach ($i in 1..$ImportRuns) {
        (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command 'exit 0' }).TotalMilliseconds
    }
    $importMedian = Get-Median $importMs

    Add-Row 'Outlook devices exported (N)' ('{0:N0}' -f $outlook) '' "$totalDevices devices of $users users seeded; page size $pageSize; $latencyMs ms latency per page"
    Add-Row 'Export-OutlookMobileDevice' ('{0:N2} s' -f $ours.seconds) '' ("median of {0}: {1}; {2} InvokeCommand pages per run ({3})" -f $Repeat, (($oursRuns | ForEach-Object { '{0:N2}' -f $_.seconds }) -join ', '), $oursPages, $oursPageNote)
    Add-Row 'Floor (pages x page latency)' ('{0:N2} s' -f $floorSeconds) '' "$delayedPages list pages x $latencyMs ms"
    Add-Row 'Plain PowerShell procedure' ('{0:N2} s' -f $plainSeconds) '' ($scaled ? ('measured {0:N2} s on the first {1:N0} devices ({2} pages), scaled per device to N' -f $plain.seconds, $plain.devices, $plain.pages) : "all $($plain.pages) pages")
    Add-Row '**ours / floor**' (Format-Ratio ($ours.seconds / $floorSeconds) 'le' 1.10) '<= 1.10' ''
    Add-Row '**PowerShell / ours**' (Format-Ratio ($plainSeconds / $ours.seconds) 'ge' 10) '>= 10' ''
    Add-Row 'Import-Module, cold (median)' ('{0:N0} ms' -f $importMedian) '< 300 ms' ("runs: {0}; {1}" -f (($importMs | ForEach-Object { '{0:N0}' -f $_ }) -join ', '), ($importMedian -lt 300 ? 'met' : 'NOT met'))
    Add-Row 'Bare pwsh start (median, context)' ('{0:N0} ms' -f (Get-Median $bareMs)) '' 'pwsh -NoProfile -Command exit 0'
    if ($null -ne $ours.peakKiB) {
        Add-Row 'Peak RSS growth, export (ours)' ('{0} MiB' -f (MiB ($ours.peakKiB - $ours.baselineKiB))) '<= 64 MiB at 1M' ('VmHWM {0} MiB after import+connect, {1} MiB after export of {2:N0}' -f (MiB $ours.baselineKiB), (MiB $ours.peakKiB), $outlook)
        Add-Row 'Peak RSS growth, plain PowerShell' ('{0} MiB' -f (MiB ($plain.peakKiB - $plain.baselineKiB))) '' ('for {0:N0} devices{1}' -f $plain.devices, ($scaled ? ' (not scaled)' : ''))
    }
    else {
        Add-Row 'Peak RSS growth' 'n/a' '' 'no /proc on this OS'
    }
    Add-Row 'Get-OutlookMobileDevice \| Measure-Object' ('{0:N0} objects/s' -f ($get.devices / $get.seconds)) '' ('{0:N0} objects in {1:N2} s, median of {2} (includes the page latency)' -f $get.devices, $get.seconds, $Repeat)
}
finally {
    Stop-TestTenant $tenant
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $work
}

$stamp = [DateTime]::UtcNow.ToString('yyyyMMdd-HHmmss')
$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add("# OutlookQrGuard benchmark ($Size, $stamp UTC)")
$lines.Add('')
$lines.Add("Machine: $([Environment]::ProcessorCount) CPUs, $([Runtime.InteropServices.RuntimeInformation]::OSDescription), pwsh $($PSVersionTable.PSVersion). Absolute times are context only; the ratios are the result.")
$lines.Add('')
$lines.Add('| Measure | Value | Target | Note |')
$lines.Add('|---|---|---|---|')
foreach ($r in $rows) { $lines.Add("| $($r.Measure) | $($r.Value) | $($r.Target) | $($r.Note) |") }
$markdown = $lines -join "`n"
# A CI-size run must not overwrite the full-size result kept in latest.md.
$suffix = $Size -eq 'Full' ? '' : "-$($Size.ToLowerInvariant())"
Set-Content -Path (Join-Path $OutputDirectory "$stamp$suffix.md") -Value $markdown -Encoding utf8NoBOM
Set-Content -Path (Join-Path $OutputDirectory "latest$suffix.md") -Value $markdown -Encoding utf8NoBOM
Write-Host ''
Write-Host $markdown
