<#
.SYNOPSIS
    The demo: the admin's job against a local tenant emulator (no Microsoft 365 needed).
.DESCRIPTION
    Started by `./build.ps1 -Task Demo`. Imports the built module and shows what it does. The full
    check -> disable -> export -> report -> revoke flow arrives with the cmdlets that do it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $OutputDirectory
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$null = New-Item -ItemType Directory -Force $OutputDirectory
Write-Host 'OutlookQrGuard demo'
Get-OutlookQrGuardVersion | Format-Table -AutoSize | Out-Host
Get-Command -Module OutlookQrGuard | Format-Table Name, Version -AutoSize | Out-Host
