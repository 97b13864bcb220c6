# Helpers for build.ps1: one job each, no state between calls.
Set-StrictMode -Version Latest

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

# Runs a native command, streams its output, and stops the build when it fails.
# A plain function (no param block), so arguments like -p reach the command untouched.
function Invoke-Native {
    $Command = $args[0]
    $Arguments = @($args | Select-Object -Skip 1)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

# The product version: [workspace.package] version in Cargo.toml, the single source.
function Get-ProductVersion([string] $Root) {
    $inWorkspacePackage = $false
    foreach ($line in Get-Content (Join-Path $Root 'Cargo.toml')) {
        if ($line -match '^\s*\[(.+)\]\s*$') { $inWorkspacePackage = $Matches[1] -eq 'workspace.package'; continue }
        if ($inWorkspacePackage -and $line -match '^\s*version\s*=\s*"([^"]+)"') { return $Matches[1] }
    }
    throw "No [workspace.package] version in $Root/Cargo.toml."
}

# The .NET runtime identifier of this machine, as used under runtimes/<rid>/native.
function Get-NativeRid {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    if ($IsWindows) { return "win-$arch" }
    if ($IsMacOS) { return "osx-$arch" }
    return "linux-$arch"
}

function Get-NativeLibraryName {
    if ($IsWindows) { return 'outlook_qr_guard.dll' }
    if ($IsMacOS) { return 'liboutlook_qr_guard.dylib' }
    return 'liboutlook_qr_guard.so'
}

function Get-CargoOutputDirectory([string] $Root, [string] $Configuration) {
    $targetDir = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $Root 'target' }
    return Join-Path $targetDir ($Configuration -eq 'Release' ? 'release' : 'debug')
}

function Get-EmulatorPath([string] $Root, [string] $Configuration) {
    $exe = $IsWindows ? 'tenant-emulator.exe' : 'tenant-emulator'
    return Join-Path (Get-CargoOutputDirectory $Root $Configuration) $exe
}

# Lays the module out as it ships: nothing from the build that an admin does not need.
function New-ModuleLayout {
    param([string] $Root, [string] $Destination, [string] $Version, [string] $Configuration)
    if (Test-Path $Destination) { Remove-Item -Recurse -Force $Destination }
    $null = New-Item -ItemType Directory -Force $Destination
    $moduleSource = Join-Path $Root 'ps-module'
    $assemblyDir = Join-Path $moduleSource "bin/$Configuration/net8.0"
    Copy-Item (Join-Path $assemblyDir 'OutlookQrGuard.dll') $Destination
    # Japanese messages: the satellite assembly .NET looks for under <culture>/ next to the dll.
    $satellite = Join-Path $assemblyDir 'ja/OutlookQrGuard.resources.dll'
    if (Test-Path $satellite) {
        $null = New-Item -ItemType Directory -Force (Join-Path $Destination 'ja')
        Copy-Item $satellite (Join-Path $Destination 'ja')
    }
    Copy-Item (Join-Path $moduleSource 'OutlookQrGuard.format.ps1xml') $Destination
    Copy-Item (Join-Path $Root 'LICENSE') $Destination
    foreach ($culture in 'en-US', 'ja-JP') {
        $helpSource = Join-Path $moduleSource $culture
        if (Test-Path $helpSource) { Copy-Item -Recurse $helpSource (Join-Path $Destination $culture) }
    }
    $manifest = Get-Content -Raw (Join-Path $moduleSource 'OutlookQrGuard.psd1')
    Set-Content -Path (Join-Path $Destination 'OutlookQrGuard.psd1') -Value $manifest.Replace('{{ModuleVersion}}', $Version) -Encoding utf8BOM -NoNewline
    Add-ModuleNative -ModulePath $Destination -Rid (Get-NativeRid) -Library (Join-Path (Get-CargoOutputDirectory $Root $Configuration) (Get-NativeLibraryName))
}

# Puts one platform's engine where the C# resolver looks for it: runtimes/<rid>/native/.
function Add-ModuleNative([string] $ModulePath, [string] $Rid, [string] $Library) {
    if (-not (Test-Path $Library)) { throw "The $Rid engine '$Library' is not built." }
    $nativeDir = Join-Path $ModulePath "runtimes/$Rid/native"
    $null = New-Item -ItemType Directory -Force $nativeDir
    Copy-Item $Library $nativeDir
}

# --- The Windows x64 engine, cross-built on Linux (../shared/docs/windows-cross-build.md) ---
# Debian's rustc-web builds the standard library for x86_64-pc-windows-gnu from source
# (-Zbuild-std) and mingw-w64 links it; ../shared/rust-vendor/windows-cross-env installs them
# once and prints a separate CARGO_HOME, so rustup's toolchain and ~/.cargo stay as they are.
# Everything it builds goes to target/windows/ (its own lock, its own host artifacts).
$script:WindowsTarget = 'x86_64-pc-windows-gnu'

function Get-WindowsTargetDirectory([string] $Root) {
    $targetDir = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $Root 'target' }
    return Join-Path $targetDir 'windows'
}

function Get-WindowsNativePath([string] $Root) {
    return Join-Path (Get-WindowsTargetDirectory $Root) "$script:WindowsTarget/release/outlook_qr_guard.dll"
}

# The variables windows-cross-env prints (export NAME="value" lines), plus the Windows target
# folder; its installer output (first run only) goes to the host.
function Get-WindowsCrossEnvironment([string] $Root) {
    $script = Join-Path $Root '../shared/rust-vendor/windows-cross-env'
    if (-not (Test-Path $script)) { throw "The Windows cross-build needs $script (the shared folder beside the clone)." }
    $lines = & bash $script
    if ($LASTEXITCODE -ne 0) { throw "windows-cross-env failed with exit code $LASTEXITCODE." }
    $environment = @{}
    foreach ($line in $lines) {
        if ($line -match '^export ([A-Z_][A-Z0-9_]*)=(?:"(.*)"|(\S*))$') { $environment[$Matches[1]] = $Matches[2] ?? $Matches[3] }
    }
    foreach ($name in 'CARGO_HOME', 'RUSTC', 'RUSTC_BOOTSTRAP') {
        if (-not $environment[$name]) { throw "windows-cross-env printed no $name." }
    }
    $environment['CARGO_TARGET_DIR'] = Get-WindowsTargetDirectory $Root
    return $environment
}

# Runs $Script with these environment variables set, and puts the previous values back.
function Invoke-WithEnvironment([hashtable] $Environment, [scriptblock] $Script) {
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    try {
        foreach ($name in $Environment.Keys) { [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
        & $Script
    }
    finally {
        # PowerShell passes $null to a [string] parameter as '', which would leave the variable
        # set but empty (cargo then refuses an empty CARGO_TARGET_DIR): remove it instead.
        foreach ($name in $saved.Keys) {
            if ($null -eq $saved[$name]) { Remove-Item -LiteralPath "Env:$name" -ErrorAction SilentlyContinue }
            else { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

# The one release build of the Windows engine; returns the DLL's path.
function Invoke-WindowsNativeBuild([string] $Root) {
    $environment = Get-WindowsCrossEnvironment $Root
    Invoke-WithEnvironment $environment {
        Invoke-Native /usr/bin/cargo build --release --locked -p outlook-qr-guard-core --target $script:WindowsTarget '-Zbuild-std=std,panic_unwind' | Out-Host
    }
    return Get-WindowsNativePath $Root
}

# The Wine side of the tests: the test-only ProcessPrng shim (Wine 8.0 has no
# bcryptprimitives.dll) and the C smoke test of the engine's C ABI, built with mingw-w64 into
# target/windows/wine-tests/, and the Wine prefix they run in. Returns their paths.
function New-WineTestTools([string] $Root) {
    $wine = '/usr/lib/wine/wine64'
    if (-not (Test-Path $wine)) { throw "Wine is not installed ($wine): run tools/bootstrap.sh." }
    $out = Join-Path (Get-WindowsTargetDirectory $Root) 'wine-tests'
    $null = New-Item -ItemType Directory -Force $out
    $sources = Join-Path $Root 'tests/windows'
    $shim = Join-Path $out 'bcryptprimitives.dll'
    $smoke = Join-Path $out 'smoke.exe'
    Invoke-Native x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared -o $shim (Join-Path $sources 'bcryptprimitives.c') -ladvapi32 | Out-Host
    Invoke-Native x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -o $smoke (Join-Path $sources 'smoke.c') | Out-Host
    [pscustomobject]@{
        Wine      = $wine
        Prefix    = Join-Path (Get-WindowsTargetDirectory $Root) 'wine-prefix'
        Shim      = $shim
        Smoke     = $smoke
        Runner    = Join-Path $sources 'wine-run.sh'
    }
}

# The API guard hash the committed bindings expect (the header of bindings/Interop.cs).
function Get-BindingsApiHash([string] $Root) {
    $header = Select-String -Path (Join-Path $Root 'bindings/Interop.cs') -Pattern '^// Hash:\s+0x([0-9a-fA-F]{16})$' | Select-Object -First 1
    if (-not $header) { throw 'bindings/Interop.cs has no "// Hash:" line.' }
    return $header.Matches[0].Groups[1].Value.ToLowerInvariant()
}

# The engine's OS-dependent tests, built for Windows and run by cargo's target runner under
# Wine (tests/windows: the atomic CSV file tests of rust-core/tests/export_atomic.rs, the
# Windows path tests of rust-core/tests/windows_paths.rs, and an export over loopback to the
# Linux emulator). Dev profile, like the Linux tests.
function Invoke-WineCargoTests([string] $Root, [string] $EmulatorPath, $Tools) {
    $environment = Get-WindowsCrossEnvironment $Root
    $environment['CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER'] = $Tools.Runner
    $environment['OQG_WINEPREFIX'] = $Tools.Prefix
    $environment['OQG_PRNG_SHIM'] = $Tools.Shim
    $environment['OQG_WINE'] = $Tools.Wine
    Import-Module (Join-Path $Root 'tests/pester/TestTenant.psm1') -Force
    $env:OQG_EMULATOR_PATH = $EmulatorPath
    $tenant = Start-TestTenant -Users 40 -Devices 120
    try {
        $environment['OQG_EMULATOR_READY_FILE'] = $tenant.ReadyFile
        # Left to the Windows runner: a path past 32,767 units, which Wine maps onto Linux's
        # PATH_MAX (4,096) and reports as "path not found" instead of Windows' "too long".
        $arguments = @('test', '--locked', '--no-fail-fast', '-p', 'windows-engine-tests', '--target', $script:WindowsTarget, '-Zbuild-std=std,panic_unwind', '--', '--skip', 'export_atomic::over_long_names_and_paths_are_explained')
        Invoke-WithEnvironment $environment { Invoke-CargoTestCommand -Suite 'wine' -Cargo /usr/bin/cargo -Arguments $arguments }
    }
    finally {
        Stop-TestTenant $tenant
    }
}


# Runs cargo test for the workspace and adds up its "test result:" lines. The dev profile: a
# dozen test binaries link in seconds there, while optimised (LTO) builds of each take minutes.
function Invoke-CargoTests([string] $Root) {
    Invoke-CargoTestCommand -Suite 'cargo' -Cargo 'cargo' -Arguments @('test', '--workspace', '--no-fail-fast')
}

# One cargo test command, its output streamed, its "test result:" lines added up.
function Invoke-CargoTestCommand([string] $Suite, [string] $Cargo, [string[]] $Arguments) {
    $passed = 0; $failed = 0; $ignored = 0
    & $Cargo @Arguments 2>&1 | ForEach-Object {
        $line = "$_"
        Write-Host $line
        if ($line -match 'test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored') {
            $passed += [int]$Matches[1]; $failed += [int]$Matches[2]; $ignored += [int]$Matches[3]
        }
    }
    $exit = $LASTEXITCODE
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }  # a build failure counts as a failure
    [pscustomobject]@{ Suite = $Suite; Passed = $passed; Failed = $failed; Skipped = $ignored }
}

# The C# tests (resolver, bindings, cmdlets) and the contract suite (tests/ContractTests: Azure.Identity
# and the Graph SDK from NuGet against the emulator binary of this configuration), summed as one suite.
function Invoke-DotnetTests([string] $Root, [string] $Configuration) {
    $projects = 'tests/OutlookQrGuard.Tests/OutlookQrGuard.Tests.csproj', 'tests/ContractTests/ContractTests.csproj'
    $passed = 0; $failed = 0; $skipped = 0
    $previousEmulator = $env:OQG_EMULATOR_PATH
    $env:OQG_EMULATOR_PATH = Get-EmulatorPath -Root $Root -Configuration $Configuration
    try {
        foreach ($relative in $projects) {
            $sawSummary = $false; $projectFailed = 0
            & dotnet test (Join-Path $Root $relative) -c $Configuration --nologo 2>&1 | ForEach-Object {
                $line = "$_"
                Write-Host $line
                if ($line -match 'Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)') {
                    $projectFailed += [int]$Matches[1]; $passed += [int]$Matches[2]; $skipped += [int]$Matches[3]; $sawSummary = $true
                }
            }
            if ($LASTEXITCODE -ne 0 -and $projectFailed -eq 0) { $projectFailed = 1 }
            if (-not $sawSummary -and $projectFailed -eq 0) { $projectFailed = 1 }
            $failed += $projectFailed
        }
    }
    finally {
        $env:OQG_EMULATOR_PATH = $previousEmulator
    }
    [pscustomobject]@{ Suite = 'dotnet'; Passed = $passed; Failed = $failed; Skipped = $skipped }
}

# The pwsh that runs this build, for child processes. The dotnet-tool pwsh runs as `dotnet pwsh.dll`,
# so the process path is dotnet's: prefer the launcher next to $PSHOME, then .tools/, then PATH.
function Get-PwshPath([string] $Root) {
    $exe = $IsWindows ? 'pwsh.exe' : 'pwsh'
    foreach ($candidate in (Join-Path $PSHOME $exe), (Join-Path $Root ".tools/pwsh/$exe")) {
        if (Test-Path $candidate) { return $candidate }
    }
    return (Get-Command $exe -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Get-PesterManifest([string] $Root) {
    $candidates = @(
        (Join-Path $Root '.tools/packages/pester/6.2.0/tools/Pester.psd1'),
        (Join-Path $HOME '.nuget/packages/pester/6.2.0/tools/Pester.psd1')
    )
    foreach ($c in $candidates) { if (Test-Path $c) { return $c } }
    throw "Pester 6.2.0 is not installed: run tools/bootstrap.sh (or 'dotnet restore tools/tools.csproj --packages .tools/packages')."
}

# Pester runs in its own pwsh process so the module is imported fresh, as an admin would.
function Invoke-PesterTests([string] $Root, [string] $ModulePath, [string] $EmulatorPath) {
    $pester = Get-PesterManifest $Root
    $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "oqg-pester-$PID.json"
    $pwsh = Get-PwshPath $Root
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$env:OQG_MODULE_PATH = '$ModulePath'
`$env:OQG_PWSH = '$pwsh'
`$env:OQG_EMULATOR_PATH = '$EmulatorPath'
`$env:OQG_PACKAGE_PATH = '$(Join-Path $Root 'out/package')'
`$config = New-PesterConfiguration
`$config.Run.Path = '$(Join-Path $Root 'tests/pester')'
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$r = Invoke-Pester -Configuration `$config
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount } | ConvertTo-Json | Set-Content '$resultFile'
"@
    # Out-Host: the child's output is for the log, not this function's result.
    & $pwsh -NoProfile -NonInteractive -Command $script | Out-Host
    if (-not (Test-Path $resultFile)) { return [pscustomobject]@{ Suite = 'pester'; Passed = 0; Failed = 1; Skipped = 0 } }
    $r = Get-Content -Raw $resultFile | ConvertFrom-Json
    Remove-Item $resultFile
    [pscustomobject]@{ Suite = 'pester'; Passed = $r.Passed; Failed = $r.Failed; Skipped = $r.Skipped }
}

# Publishes the laid-out module to a local file repository (a folder), as a gallery would host
# it, and writes the Azure Automation zip (the module folder at the zip root). PSResourceGet keeps
# its repository list under the user's profile: a private HOME inside the package folder keeps
# this machine's profile untouched.
function New-ModulePackage {
    param([string] $Root, [string] $ModulePath, [string] $Destination)
    if (Test-Path $Destination) { Remove-Item -Recurse -Force $Destination }
    $repository = Join-Path $Destination 'repository'
    $profileHome = Join-Path $Destination 'home'
    # .NET reports a profile folder that does not exist as "" (PSResourceGet then writes into the
    # current directory), so the private profile's folders are made up front.
    $null = New-Item -ItemType Directory -Force $repository, $profileHome, (Join-Path $profileHome '.local/share'), (Join-Path $profileHome '.config'), (Join-Path $profileHome 'AppData/Local')
    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name OutlookQrGuardLocal -Uri '$repository' -Trusted
Publish-PSResource -Path '$ModulePath' -Repository OutlookQrGuardLocal
"@
    $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; LOCALAPPDATA = $env:LOCALAPPDATA; USERPROFILE = $env:USERPROFILE }
    try {
        $env:HOME = $profileHome; $env:USERPROFILE = $profileHome
        $env:XDG_DATA_HOME = Join-Path $profileHome '.local/share'; $env:XDG_CONFIG_HOME = Join-Path $profileHome '.config'
        $env:LOCALAPPDATA = Join-Path $profileHome 'AppData/Local'
        Invoke-Native (Get-PwshPath $Root) -NoProfile -NonInteractive -Command $script
    }
    finally {
        foreach ($k in $saved.Keys) { Set-Item "Env:$k" -Value $saved[$k] -ErrorAction SilentlyContinue; if ($null -eq $saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } }
        Remove-Item -Recurse -Force $profileHome -ErrorAction SilentlyContinue
    }
    $zip = Join-Path $Destination 'OutlookQrGuard.zip'
    Compress-Archive -Path $ModulePath -DestinationPath $zip -CompressionLevel Optimal
    Get-ChildItem -File $repository, $Destination | ForEach-Object {
        [pscustomobject]@{ File = $_.FullName.Substring($Root.Length + 1); Size = $_.Length }
    }
}

Export-ModuleMember -Function New-ModulePackage, Add-ModuleNative, Invoke-WindowsNativeBuild, Get-WindowsNativePath, New-WineTestTools, Get-BindingsApiHash, Invoke-WineCargoTests, Invoke-CargoTestCommand, Write-Step, Get-PwshPath, Invoke-Native, Get-ProductVersion, Get-NativeRid, Get-NativeLibraryName, Get-EmulatorPath, New-ModuleLayout, Invoke-CargoTests, Invoke-DotnetTests, Invoke-PesterTests
