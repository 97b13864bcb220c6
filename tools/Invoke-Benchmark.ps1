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
      5. The measured floor: rust-core's page_walk_floor example walks every page as fast as a
         client can (fetch, read the next link, nothing else) on the same emulator in the same run.
      6. CSV throughput: our writer on 1M in-memory devices vs Export-Csv on a sample of the same objects.
      7. Revoke of many users with throttling on: HTTP requests sent and wall time, vs a per-user
         Invoke-RestMethod loop.
      8. Full size only: the export of 1M devices (time vs its measured floor, peak RSS growth).
      9. Get-OutlookQrFleetStatus over 8 tenants of one emulator process: at once vs one after
         another (tools/Measure-FleetConcurrency.ps1).
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
    # The plain-PowerShell procedure reads at most this many pages and is scaled per device to N.
    # 0 = every page (the default at both sizes: its memory at 100k is a result of its own).
    [int] $PowerShellMaxPages = -1,
    [int] $ImportRuns = 5,
    # Our export and Get run this many times (fresh process each); the median time is reported.
    [ValidateRange(1, 20)] [int] $Repeat = 3,
    # Skips the 1M-device export of the Full size (it needs about 3 GB and two minutes).
    [switch] $SkipMillion
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$presets = @{
    Small = @{ Devices = 5000; LatencyMs = 5; PowerShellMaxPages = 0; CsvRows = 100000; RevokeUsers = 2000; PlainRevokeMax = 200; Million = $false }
    Full  = @{ Devices = 100000; LatencyMs = 20; PowerShellMaxPages = 0; CsvRows = 1000000; RevokeUsers = 10000; PlainRevokeMax = 500; Million = $true }
}
$preset = $presets[$Size]
$N = $Devices -gt 0 ? $Devices : $preset.Devices
$latencyMs = $preset.LatencyMs
$psMaxPages = $PowerShellMaxPages -ge 0 ? $PowerShellMaxPages : $preset.PowerShellMaxPages
$pageSize = 1000
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path

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
param([string] $Mode, [string] $ModulePath, [string] $TestTenantPath, [string] $TenantFile, [string] $CsvPath, [int] $MaxPages, [string] $InputPath)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
function Get-PeakKiB {
    if (-not (Test-Path /proc/self/status)) { return $null }
    $line = Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)' | Select-Object -First 1
    [long] $line.Matches[0].Groups[1].Value
}
if ($TenantFile) {
    $info = Get-Content -Raw $TenantFile | ConvertFrom-Json
    $tenant = [pscustomobject]@{ BaseUrl = $info.baseUrl; CaPath = $info.caCertificatePath; Credentials = $info.credentials }
}
$result = [ordered]@{ mode = $Mode }
switch ($Mode) {
    'Ours' {
        Import-Module $ModulePath
        Import-Module $TestTenantPath
        $null = Connect-TestTenant -Tenant $tenant
        $result.baselineKiB = Get-PeakKiB
        # The summary line (information stream) carries the device count, for runs too large
        # to load the seeded ground truth.
        $summary = $null
        $elapsed = Measure-Command { $summary = Export-OutlookMobileDevice -Path $CsvPath -Force 6>&1 }
        $result.peakKiB = Get-PeakKiB
        $result.seconds = $elapsed.TotalSeconds
        $result.summary = "$summary"
    }
    'ExportCsv' {
        # Export-Csv on the objects our writer formats (a sample: it is slow).
        $objects = Get-Content -Raw $InputPath | ConvertFrom-Json
        $elapsed = Measure-Command { $objects | Export-Csv -Path $CsvPath -Encoding UTF8 -NoTypeInformation }
        $result.seconds = $elapsed.TotalSeconds
        $result.rows = $objects.Count
        $result.bytes = (Get-Item $CsvPath).Length
    }
    'RevokeOurs' {
        Import-Module $ModulePath
        Import-Module $TestTenantPath
        $null = Connect-TestTenant -Tenant $tenant
        $users = @(Get-Content $InputPath)
        $records = $null
        $elapsed = Measure-Command { $records = @(Revoke-OutlookMobileSignin -UserPrincipalName $users -Confirm:$false -ErrorAction SilentlyContinue) }
        $result.seconds = $elapsed.TotalSeconds
        $result.users = $users.Count
        $result.results = $records.Count
        $result.revoked = @($records | Where-Object Status -eq 'Revoked').Count
    }
    'RevokePlain' {
        # What an admin writes without the module: one Graph call per user, PowerShell's own retries.
        Import-Module $TestTenantPath
        $token = Get-TenantAccessToken -Tenant $tenant -Resource Graph
        $users = @(Get-Content $InputPath | Select-Object -First $MaxPages)
        $ok = 0
        $elapsed = Measure-Command {
            foreach ($upn in $users) {
                $uri = "$($info.baseUrl)/v1.0/users/$([uri]::EscapeDataString($upn))/revokeSignInSessions"
                $null = Invoke-RestMethod -Method POST -Uri $uri -Headers @{ Authorization = "Bearer $token" } -SkipCertificateCheck -MaximumRetryCount 5 -RetryIntervalSec 1
                $ok++
            }
        }
        $result.seconds = $elapsed.TotalSeconds
        $result.users = $ok
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

function Invoke-Child([string] $Mode, [string] $CsvPath = '', [int] $MaxPages = 0, [string] $InputPath = '') {
    $output = & $pwsh -NoProfile -NonInteractive -File $childScript -Mode $Mode -ModulePath $ModulePath `
        -TestTenantPath (Join-Path $PSScriptRoot '../tests/pester/TestTenant.psm1') -TenantFile ($tenant ? $tenant.ReadyFile : '') `
        -CsvPath $CsvPath -MaxPages $MaxPages -InputPath $InputPath
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

# Release builds of the two example programs the benchmark runs (the module build does not make them).
Write-Host '==> Building the page_walk_floor, export_engine and csv_throughput examples (release)'
Push-Location $repoRoot
try {
    & cargo build --release --quiet -p outlook-qr-guard-core --example page_walk_floor --example export_engine --example csv_throughput --example log_ingestion_throughput
    if ($LASTEXITCODE -ne 0) { throw "cargo build of the benchmark examples failed (exit $LASTEXITCODE)" }
}
finally { Pop-Location }
$exampleDir = Join-Path $repoRoot 'target/release/examples'
$floorExe = Join-Path $exampleDir ($IsWindows ? 'page_walk_floor.exe' : 'page_walk_floor')
$csvExe = Join-Path $exampleDir ($IsWindows ? 'csv_throughput.exe' : 'csv_throughput')
$engineExe = Join-Path $exampleDir ($IsWindows ? 'export_engine.exe' : 'export_engine')
$ingestExe = Join-Path $exampleDir ($IsWindows ? 'log_ingestion_throughput.exe' : 'log_ingestion_throughput')

# Walks every page as fast as a client can; the median of $Runs walks, in seconds.
function Measure-Floor([int] $Runs) {
    $line = & $floorExe $tenant.ReadyFile $Runs | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0) { throw "page_walk_floor failed (exit $LASTEXITCODE)" }
    $walk = $line | ConvertFrom-Json
    [pscustomobject]@{ seconds = Get-Median $walk.seconds; runs = @($walk.seconds); pages = $walk.pages; bytes = $walk.devicesBytes }
}

function Start-BenchTenant([int] $OutlookDevices, [int] $Users) {
    $total = [int][math]::Round($OutlookDevices / 0.7)
    Write-Host "==> Starting the tenant emulator: $total devices ($OutlookDevices Outlook expected), $Users users, page size $pageSize, $latencyMs ms per page"
    Start-TestTenant -Users $Users -Devices $total -ExtraArguments @('--page-size', $pageSize, '--page-latency-ms', $latencyMs)
}

$totalDevices = [int][math]::Round($N / 0.7)
$users = [math]::Max(2, [int][math]::Round($N / 2))
$tenant = Start-BenchTenant -OutlookDevices $N -Users $users
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

    # 1b. The measured floor, right after ours on the same emulator.
    Write-Host '==> Floor: page_walk_floor (fetch every page, read the next link, nothing else)'
    $walk = Measure-Floor -Runs $Repeat
    # The same export without the PowerShell layer, to split ours/floor into engine and module.
    Write-Host '==> Export, engine alone (export_engine)'
    $engineLine = & $engineExe $tenant.ReadyFile $Repeat (Join-Path $work 'engine.csv') | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0) { throw "export_engine failed (exit $LASTEXITCODE)" }
    $engineRuns = @(($engineLine | ConvertFrom-Json).seconds)
    $engineSeconds = Get-Median $engineRuns

    # 1a. The plain-PowerShell procedure (possibly on the first pages only, scaled per device).
    $limitNote = $psMaxPages -gt 0 ? "first $psMaxPages pages only" : 'every page'
    Write-Host "==> Plain PowerShell procedure ($limitNote)"
    Reset-TenantJournal $tenant
    # Median of -Repeat fresh processes, as for ours (one run swings by 20% with the GC).
    $plainRuns = @(foreach ($i in 1..$Repeat) { Invoke-Child -Mode PowerShell -CsvPath (Join-Path $work 'powershell.csv') -MaxPages $psMaxPages })
    $plainMedian = Get-Median $plainRuns.seconds
    $plain = $plainRuns | Sort-Object { [math]::Abs($_.seconds - $plainMedian) } | Select-Object -First 1
    $scaled = $plain.devices -lt $outlook
    $plainSeconds = $scaled ? $plain.seconds / $plain.devices * $outlook : $plain.seconds

    # 4. Objects into the pipeline.
    Write-Host '==> Get-OutlookMobileDevice | Measure-Object'
    $getRuns = @(foreach ($i in 1..$Repeat) { Invoke-Child -Mode Get })
    $get = [pscustomobject]@{ seconds = Get-Median $getRuns.seconds; devices = $getRuns[0].devices }

    # 7. Revoke with throttling on: 2% of the revoke calls (also inside $batch) and of the $batch
    # requests answer 429 Retry-After: 1, for both sides.
    $revokeCount = [math]::Min($preset.RevokeUsers, $users - 1)
    Write-Host "==> Revoke $revokeCount users (throttling on): ours vs a per-user Invoke-RestMethod loop"
    $upnFile = Join-Path $work 'users.txt'
    $token = Get-TenantAccessToken -Tenant $tenant -Resource Exchange
    $domain = $tenant.Credentials.tenantDomain
    $mailboxBody = @{ CmdletInput = @{ CmdletName = 'Get-Mailbox'; Parameters = @{ ResultSize = $revokeCount + 1 } } } | ConvertTo-Json -Depth 5 -Compress
    $mailboxHeaders = @{ Authorization = "Bearer $token"; 'X-AnchorMailbox' = "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$domain"; Prefer = 'odata.maxpagesize=1000' }
    $uri = "$($tenant.BaseUrl)/adminapi/beta/$domain/InvokeCommand"
    $upns = while ($uri) {
        $page = Invoke-RestMethod -Method POST -Uri $uri -Headers $mailboxHeaders -Body $mailboxBody -ContentType 'application/json' -SkipCertificateCheck
        $page.value.UserPrincipalName
        $next = $page.PSObject.Properties['@odata.nextLink']
        $uri = $next ? $next.Value : $null
    }
    # User 0 is the delegated admin; leave it alone.
    $upns = @($upns | Select-Object -Skip 1 -First $revokeCount)
    Set-Content -Path $upnFile -Value $upns -Encoding utf8NoBOM
    $throttling = @(
        @{ endpoint = 'GraphRevoke'; fault = @{ Throttle = @{ retryAfter = '1' } }; rate = 0.02 },
        @{ endpoint = 'GraphBatch'; fault = @{ Throttle = @{ retryAfter = '1' } }; rate = 0.02 }
    )
    Set-TenantFault -Tenant $tenant -Rules $throttling -Seed 11
    Reset-TenantJournal $tenant
    $revokeOurs = Invoke-Child -Mode RevokeOurs -InputPath $upnFile
    $graphRequests = @((Get-TenantJournal $tenant).requests | Where-Object { $_.endpoint -like 'Graph*' -and -not $_.batchItemId })
    $throttledOurs = @($graphRequests | Where-Object status -eq 429).Count
    Set-TenantFault -Tenant $tenant -Rules $throttling -Seed 12
    Reset-TenantJournal $tenant
    $revokePlain = Invoke-Child -Mode RevokePlain -InputPath $upnFile -MaxPages $preset.PlainRevokeMax
    $plainRequests = @((Get-TenantJournal $tenant).requests | Where-Object { $_.endpoint -like 'Graph*' -and -not $_.batchItemId }).Count
    $plainRevokeSeconds = $revokePlain.seconds / $revokePlain.users * $revokeCount
    Reset-TenantFault -Tenant $tenant

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
    Add-Row 'Floor, measured (page walk)' ('{0:N2} s' -f $walk.seconds) '' ('median of {0}: {1}; {2} pages, {3:N0} MB of JSON: fetch + read the next link, nothing else' -f $Repeat, (($walk.runs | ForEach-Object { '{0:N2}' -f $_ }) -join ', '), $walk.pages, ($walk.bytes / 1e6))
    Add-Row 'Floor, sum of page latencies' ('{0:N2} s' -f $floorSeconds) '' "$delayedPages list pages x $latencyMs ms (no transfer time)"
    Add-Row '**ours / measured floor**' (Format-Ratio ($ours.seconds / $walk.seconds) 'le' 1.10) '<= 1.10' ''
    Add-Row 'Export, engine alone (no PowerShell layer)' ('{0:N2} s' -f $engineSeconds) '' ('median of {0}: {1}; rust-core example export_engine: the same ops::export in one process, so ours minus this is the module call (C#, progress, pwsh)' -f $Repeat, (($engineRuns | ForEach-Object { '{0:N2}' -f $_ }) -join ', '))
    Add-Row 'engine / measured floor' ('{0:N2}' -f ($engineSeconds / $walk.seconds)) '' ''
    Add-Row 'ours / sum of page latencies' (Format-Ratio ($ours.seconds / $floorSeconds) 'le' 1.10) '<= 1.10' ('the page walk itself is {0:N2} x this floor: moving {1:N1} MB per page over loopback TLS' -f ($walk.seconds / $floorSeconds), ($walk.bytes / 1e6 / [math]::Max(1, $walk.pages)))
    $plainRunNote = 'median of {0}: {1}' -f $Repeat, (($plainRuns.seconds | ForEach-Object { '{0:N2}' -f $_ }) -join ', ')
    Add-Row 'Plain PowerShell procedure' ('{0:N2} s' -f $plainSeconds) '' ($scaled ? ('{3}; measured {0:N2} s on the first {1:N0} devices ({2} pages), scaled per device to N' -f $plain.seconds, $plain.devices, $plain.pages, $plainRunNote) : "$plainRunNote; all $($plain.pages) pages")
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
    Add-Row "Revoke $('{0:N0}' -f $revokeCount) users: HTTP requests (ours)" ('{0:N0}' -f $graphRequests.Count) ('<= {0:N0} (1/18 of one per user)' -f [math]::Floor($revokeCount / 18)) ('{0}; {1} of them answered 429; {2:N0} results, {3:N0} Revoked; throttling: 2% of revoke calls and of $batch requests get 429 Retry-After: 1' -f ($graphRequests.Count -le [math]::Floor($revokeCount / 18) ? 'met' : 'NOT met'), $throttledOurs, $revokeOurs.results, $revokeOurs.revoked)
    Add-Row '**one-per-user / ours, requests**' (Format-Ratio ($revokeCount / [math]::Max(1, $graphRequests.Count)) 'ge' 18) '>= 18' ''
    Add-Row 'Revoke wall time (ours)' ('{0:N2} s' -f $revokeOurs.seconds) '' 'Revoke-OutlookMobileSignin -UserPrincipalName <all> -Confirm:$false (connect not included)'
    Add-Row 'Revoke wall time, per-user Invoke-RestMethod loop' ('{0:N2} s' -f $plainRevokeSeconds) '' ('measured {0:N2} s on {1:N0} users ({2:N0} requests incl. retries: -MaximumRetryCount 5 -RetryIntervalSec 1), scaled per user' -f $revokePlain.seconds, $revokePlain.users, $plainRequests)
    Add-Row '**loop / ours, revoke time**' ('{0:N1}' -f ($plainRevokeSeconds / $revokeOurs.seconds)) '' ''

    # 9. Logs Ingestion API (Send-OutlookQrGuardLog's engine): sign-in-sized rows to the emulator.
    try {
        $logRows = 50000
        Write-Host "==> Logs Ingestion: $logRows rows (log_ingestion_throughput)"
        $ingestLine = & $ingestExe $tenant.ReadyFile $logRows $Repeat | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0) { throw "log_ingestion_throughput failed (exit $LASTEXITCODE)" }
        $ingest = $ingestLine | ConvertFrom-Json
        $ingestSeconds = Get-Median @($ingest.seconds)
        Add-Row 'Logs Ingestion API, rows sent (engine)' ('{0:N0} rows/s' -f ($ingest.rows / $ingestSeconds)) '' ('{0:N0} rows, {1} batches, {2:N1} MB JSON / {3:N1} MB gzip; median of {4}: {5} s (rust-core example log_ingestion_throughput, release, emulator over loopback TLS)' -f $ingest.rows, $ingest.batches, ($ingest.bytes / 1e6), ($ingest.sentBytes / 1e6), $Repeat, ((@($ingest.seconds) | ForEach-Object { '{0:N2}' -f $_ }) -join ', '))
    }
    catch { Add-Row 'Logs Ingestion API' 'failed' '' "$_" }
}
finally {
    Stop-TestTenant $tenant
}

# 6. CSV throughput on in-memory devices (no emulator).
try {
    Write-Host "==> CSV throughput: $($preset.CsvRows) in-memory devices, ours vs Export-Csv (sample)"
    $summaryFile = Join-Path $work 'csv-summary.json'
    $env:OQG_BENCH_SUMMARY = $summaryFile
    try { $null = & $csvExe $preset.CsvRows $work } finally { Remove-Item Env:OQG_BENCH_SUMMARY }
    if ($LASTEXITCODE -ne 0) { throw "csv_throughput failed (exit $LASTEXITCODE)" }
    $csv = Get-Content -Raw $summaryFile | ConvertFrom-Json
    $tenant = $null
    $exportCsv = Invoke-Child -Mode ExportCsv -CsvPath (Join-Path $work 'export-csv.csv') -InputPath "$summaryFile.sample.json"
    $oursMBs = $csv.bytes / 1e6 / $csv.seconds
    $theirsMBs = $exportCsv.bytes / 1e6 / $exportCsv.seconds
    Add-Row 'CSV writer (ours), UTF-8 BOM to a file' ('{0:N0} rows/s, {1:N0} MB/s' -f ($csv.rows / $csv.seconds), $oursMBs) '' ('{0:N0} rows, {1:N0} MB in {2:N2} s (rust-core example csv_throughput, release)' -f $csv.rows, ($csv.bytes / 1e6), $csv.seconds)
    Add-Row 'Export-Csv -Encoding UTF8 on the same objects' ('{0:N0} rows/s, {1:N1} MB/s' -f ($exportCsv.rows / $exportCsv.seconds), $theirsMBs) '' ('a sample: {0:N0} of the distinct devices, {1:N1} MB in {2:N2} s' -f $exportCsv.rows, ($exportCsv.bytes / 1e6), $exportCsv.seconds)
    Add-Row '**ours / Export-Csv, MB/s**' ('{0:N0}' -f ($oursMBs / $theirsMBs)) '' ''
}
catch { Add-Row 'CSV throughput' 'failed' '' "$_" }

# 8. Full size: 1M devices, the memory target's own size.
if ($preset.Million -and -not $SkipMillion -and $Devices -le 0) {
    $millionN = 1000000
    $tenant = Start-BenchTenant -OutlookDevices $millionN -Users 500000
    try {
        Write-Host '==> Export-OutlookMobileDevice, 1M devices'
        $big = Invoke-Child -Mode Ours -CsvPath (Join-Path $work 'ours-1m.csv')
        Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $work 'ours-1m.csv')
        Write-Host '==> Floor at 1M'
        $bigWalk = Measure-Floor -Runs 1
        $exported = [long](($big.summary -replace '(?s)^\D*([\d,.]+).*$', '$1') -replace '\D', '')
        Add-Row 'Export of 1M devices (ours)' ('{0:N2} s' -f $big.seconds) '' ('{0:N0} devices (from the export summary: the seeded ground truth is too large to load here); {1} pages' -f $exported, $bigWalk.pages)
        Add-Row 'Floor at 1M, measured (page walk)' ('{0:N2} s' -f $bigWalk.seconds) '' ('sum of page latencies: {0:N2} s' -f ($bigWalk.pages * $latencyMs / 1000.0))
        Add-Row '**ours / measured floor at 1M**' (Format-Ratio ($big.seconds / $bigWalk.seconds) 'le' 1.10) '<= 1.10' ''
        if ($null -ne $big.peakKiB) {
            Add-Row '**Peak RSS growth, export of 1M (ours)**' ('{0} MiB' -f (MiB ($big.peakKiB - $big.baselineKiB))) '<= 64 MiB' ('{0}; VmHWM {1} MiB after import+connect, {2} MiB after the export' -f (((MiB ($big.peakKiB - $big.baselineKiB)) -le 64) ? 'met' : 'NOT met'), (MiB $big.baselineKiB), (MiB $big.peakKiB))
        }
    }
    finally {
        Stop-TestTenant $tenant
    }
}
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $work

# 9. Many tenants in one run (#17): N tenants at once vs one after another, one emulator process.
try {
    $fleetTenants = 8
    Write-Host "==> Get-OutlookQrFleetStatus: $fleetTenants tenants at once vs one after another"
    $fleetJson = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-FleetConcurrency.ps1') -ModulePath $ModulePath -EmulatorPath $EmulatorPath -Tenants $fleetTenants -LatencyMs $latencyMs -Repeat $Repeat
    if ($LASTEXITCODE -ne 0) { throw "Measure-FleetConcurrency failed: $($fleetJson -join "`n")" }
    $fleet = ($fleetJson | Select-Object -Last 1) | ConvertFrom-Json
    Add-Row "Fleet check, $($fleet.tenants) tenants one after another" ('{0:N2} s' -f $fleet.sequentialSeconds) '' ('Get-OutlookQrFleetStatus -ThrottleLimit 1; median of {0}; {1} ms per list page' -f $Repeat, $fleet.latencyMs)
    Add-Row "Fleet check, $($fleet.tenants) tenants at once" ('{0:N2} s' -f $fleet.concurrentSeconds) '' ('-ThrottleLimit {0}; {1} row(s) with errors' -f $fleet.tenants, $fleet.rowsWithErrors)
    Add-Row '**one after another / at once**' ('{0:N1}' -f $fleet.ratio) '' 'pwsh tools/Measure-FleetConcurrency.ps1 -ModulePath <module> -EmulatorPath <emulator> -Tenants 8'
}
catch { Add-Row 'Fleet concurrency' 'failed' '' "$_" }

# Bad inputs are tests of the suite (tag BadInput); run here so the results list every case.
Write-Host '==> Bad inputs: the Pester tests tagged BadInput'
$env:OQG_MODULE_PATH = $ModulePath
$env:OQG_PWSH = $pwsh
$env:OQG_EMULATOR_PATH = $EmulatorPath
$badJson = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Get-BadInputCase.ps1') `
    -PesterPath (Join-Path $repoRoot '.tools/packages/pester/6.2.0/tools/Pester.psd1') -TestsPath (Join-Path $repoRoot 'tests/pester')
if ($LASTEXITCODE -ne 0) { throw "Running the bad-input tests failed: $($badJson -join "`n")" }
$badInputs = @(($badJson | Select-Object -Last 1) | ConvertFrom-Json)
$badPassed = @($badInputs | Where-Object result -eq 'Passed').Count
Add-Row 'Bad inputs: clear ErrorRecord, nothing written or sent' ('{0} of {1} cases pass' -f $badPassed, $badInputs.Count) '>= 30 cases' ('{0}; each listed below' -f ($badInputs.Count -ge 30 -and $badPassed -eq $badInputs.Count ? 'met' : 'NOT met'))

$stamp = [DateTime]::UtcNow.ToString('yyyyMMdd-HHmmss')
$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add("# OutlookQrGuard benchmark ($Size, $stamp UTC)")
$lines.Add('')
$lines.Add("Machine: $([Environment]::ProcessorCount) CPUs, $([Runtime.InteropServices.RuntimeInformation]::OSDescription), pwsh $($PSVersionTable.PSVersion). Absolute times are context only; the ratios are the result.")
$lines.Add('')
$lines.Add('| Measure | Value | Target | Note |')
$lines.Add('|---|---|---|---|')
foreach ($r in $rows) { $lines.Add("| $($r.Measure) | $($r.Value) | $($r.Target) | $($r.Note) |") }
$lines.Add('')
$lines.Add("## Bad inputs ($($badInputs.Count) cases, Pester tag BadInput)")
$lines.Add('')
$lines.Add('| # | Where | Bad input: what the admin gets | Result |')
$lines.Add('|---|---|---|---|')
$i = 0
foreach ($b in $badInputs) { $i++; $lines.Add("| $i | $($b.group) | $($b.case -replace '\|', '\|') | $($b.result) |") }
$markdown = $lines -join "`n"
# A CI-size run must not overwrite the full-size result kept in latest.md.
$suffix = $Size -eq 'Full' ? '' : "-$($Size.ToLowerInvariant())"
Set-Content -Path (Join-Path $OutputDirectory "$stamp$suffix.md") -Value $markdown -Encoding utf8NoBOM
Set-Content -Path (Join-Path $OutputDirectory "latest$suffix.md") -Value $markdown -Encoding utf8NoBOM
Write-Host ''
Write-Host $markdown
