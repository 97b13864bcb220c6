<#
.SYNOPSIS
    Developer loop: rebuild the module (without help) and run some Pester files against it.
.EXAMPLE
    pwsh tools/Invoke-QuickPester.ps1 -Files tests/pester/Devices.Tests.ps1
.EXAMPLE
    pwsh tools/Invoke-QuickPester.ps1 -Files tests/pester/Revoke.Tests.ps1 -Configuration Debug
#>
param(
    [Parameter(Mandatory)] [string[]] $Files,
    # Debug compiles much faster; Release is what ships and what CI tests.
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
Set-Location $root
Import-Module (Join-Path $root 'tools/BuildTools.psm1') -Force
$version = Get-ProductVersion $root
$cargoProfile = @(if ($Configuration -eq 'Release') { '--release' })
Invoke-Native cargo build @cargoProfile -p outlook-qr-guard-core -p tenant-emulator
Invoke-Native dotnet build ps-module/OutlookQrGuard.csproj -c $Configuration --nologo -v quiet
$out = Join-Path $root 'out/OutlookQrGuard'
New-ModuleLayout -Root $root -Destination $out -Version $version -Configuration $Configuration
Import-Module (Join-Path $root '.tools/packages/pester/6.2.0/tools/Pester.psd1')
$env:OQG_MODULE_PATH = $out
$env:OQG_PWSH = Get-PwshPath $root
$env:OQG_EMULATOR_PATH = Get-EmulatorPath -Root $root -Configuration $Configuration
$c = New-PesterConfiguration
$c.Run.Path = @($Files | ForEach-Object { $_ -split ',' })
$c.Output.Verbosity = 'Detailed'
Invoke-Pester -Configuration $c
