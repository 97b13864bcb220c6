<#
.SYNOPSIS
    Developer loop: rebuild the module (without help) and run some Pester files against it.
.EXAMPLE
    pwsh tools/Invoke-QuickPester.ps1 -Files tests/pester/Devices.Tests.ps1
#>
param([Parameter(Mandatory)] [string[]] $Files)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
Set-Location $root
Import-Module (Join-Path $root 'tools/BuildTools.psm1') -Force
$version = Get-ProductVersion $root
Invoke-Native cargo build --release -p outlook-qr-guard-core -p tenant-emulator
Invoke-Native dotnet build ps-module/OutlookQrGuard.csproj -c Release --nologo -v quiet
$out = Join-Path $root 'out/OutlookQrGuard'
New-ModuleLayout -Root $root -Destination $out -Version $version -Configuration Release
Import-Module (Join-Path $root '.tools/packages/pester/6.2.0/tools/Pester.psd1')
$env:OQG_MODULE_PATH = $out
$env:OQG_PWSH = Get-PwshPath $root
$env:OQG_EMULATOR_PATH = Get-EmulatorPath -Root $root -Configuration Release
$c = New-PesterConfiguration
$c.Run.Path = @($Files | ForEach-Object { $_ -split ',' })
$c.Output.Verbosity = 'Detailed'
Invoke-Pester -Configuration $c
