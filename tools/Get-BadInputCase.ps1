<#
.SYNOPSIS
    Runs the Pester tests tagged BadInput (each one bad input: a clear ErrorRecord, nothing
    written or sent) and prints them as JSON, for the benchmark's results table.
.DESCRIPTION
    Needs OQG_MODULE_PATH, OQG_PWSH and OQG_EMULATOR_PATH set as for the Pester suite.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestsPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath
$c = New-PesterConfiguration
$c.Run.Path = $TestsPath
$c.Run.PassThru = $true
$c.Filter.Tag = 'BadInput'
$c.Output.Verbosity = 'None'
$run = Invoke-Pester -Configuration $c
$cases = @($run.Tests | Where-Object ShouldRun | ForEach-Object {
        [pscustomobject]@{ group = $_.Block.ExpandedName; case = $_.ExpandedName; result = "$($_.Result)" }
    })
ConvertTo-Json -InputObject $cases -Compress -Depth 3
