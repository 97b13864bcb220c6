<#
.SYNOPSIS
    Writes the module's MAML help (OutlookQrGuard.dll-help.xml) from the help sources.
.DESCRIPTION
    platyPS is not available here, so help is written as one PowerShell data file per cmdlet
    (ps-module/help/<culture>/<Cmdlet>.psd1: Synopsis, Description, Parameters, Examples, Notes,
    Links). Parameter facts (type, mandatory, position, pipeline input, aliases, sets) come from
    the built cmdlets themselves, so the help never disagrees with the code. A parameter without
    a description, or a cmdlet without a help file, stops the build.
    Runs in its own pwsh process (build.ps1 starts it) so the built assembly is not held open.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpSource,
    [Parameter(Mandatory)] [string[]] $Culture
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# Accept "en-US,ja-JP" as one argument too (pwsh -File passes it that way).
$Culture = @($Culture | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$module = Import-Module $ModulePath -PassThru -Force
$common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
# -WhatIf/-Confirm are documented the same way for every cmdlet that has them.
$shouldProcess = @{
    'en-US' = @{ WhatIf = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'; Confirm = 'Prompts you for confirmation before running the cmdlet.' }
    'ja-JP' = @{ WhatIf = 'コマンドレットを実行した場合の動作を表示します。コマンドレットは実行されません。'; Confirm = 'コマンドレットを実行する前に確認を求めます。' }
}

function Escape([string] $Text) { [System.Security.SecurityElement]::Escape($Text) }

function Paragraphs([string] $Text) {
    ($Text.Trim() -split "(`r?`n){2,}" | Where-Object { $_.Trim() } | ForEach-Object { "<maml:para>$(Escape $_.Trim())</maml:para>" }) -join ''
}

function PipelineText($ParameterSetInfo) {
    $kinds = @()
    if ($ParameterSetInfo.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($ParameterSetInfo.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function ParameterXml($Parameter, $SetInfo, [string] $Description, [switch] $WithDefault) {
    $position = if ($SetInfo.Position -ge 0) { $SetInfo.Position } else { 'named' }
    $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
    $typeName = $Parameter.ParameterType.FullName
    $shortType = $Parameter.ParameterType.Name
    $isSwitch = $Parameter.ParameterType -eq [switch]
    $value = if ($isSwitch) { '' } else { "<command:parameterValue required=`"true`" variableLength=`"false`">$(Escape $shortType)</command:parameterValue>" }
    $default = if ($WithDefault) { '<dev:defaultValue>None</dev:defaultValue>' } else { '' }
    "<command:parameter required=`"$($SetInfo.IsMandatory.ToString().ToLower())`" variableLength=`"true`" globbing=`"false`" pipelineInput=`"$(PipelineText $SetInfo)`" position=`"$position`" aliases=`"$(Escape $aliases)`">" +
    "<maml:name>$($Parameter.Name)</maml:name><maml:description>$(Paragraphs $Description)</maml:description>$value" +
    "<dev:type><maml:name>$(Escape $typeName)</maml:name><maml:uri /></dev:type>$default</command:parameter>"
}

foreach ($c in $Culture) {
    $sourceDir = Join-Path $HelpSource $c
    $commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
    $items = foreach ($command in $commands) {
        $file = Join-Path $sourceDir "$($command.Name).psd1"
        if (-not (Test-Path $file)) { throw "No help for $($command.Name) in $c (expected $file)." }
        $help = Import-PowerShellDataFile $file
        foreach ($key in 'Synopsis', 'Description', 'Examples') {
            if (-not $help.ContainsKey($key) -or -not $help[$key]) { throw "$file has no $key." }
        }
        $describedParameters = if ($help.ContainsKey('Parameters')) { $help.Parameters.Clone() } else { @{} }
        $standard = if ($shouldProcess.ContainsKey($c)) { $shouldProcess[$c] } else { $shouldProcess['en-US'] }
        foreach ($name in 'WhatIf', 'Confirm') {
            if ($command.Parameters.ContainsKey($name) -and -not $describedParameters.ContainsKey($name)) { $describedParameters[$name] = $standard[$name] }
        }
        $own = $command.Parameters.Values | Where-Object { $_.Name -notin $common }
        foreach ($p in $own) {
            if (-not $describedParameters.ContainsKey($p.Name)) { throw "$file does not describe parameter -$($p.Name)." }
        }
        $syntax = foreach ($set in $command.ParameterSets) {
            $params = foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $common })) {
                $full = $command.Parameters[$p.Name]
                ParameterXml $full $p $describedParameters[$p.Name]
            }
            "<command:syntaxItem><maml:name>$($command.Name)</maml:name>$($params -join '')</command:syntaxItem>"
        }
        $parameters = foreach ($p in $own) {
            $setInfo = $p.ParameterSets.Values | Select-Object -First 1
            ParameterXml $p $setInfo $describedParameters[$p.Name] -WithDefault
        }
        $inputs = foreach ($i in @($help['Inputs'])) { if ($i) { "<command:inputType><dev:type><maml:name>$(Escape $i)</maml:name></dev:type><maml:description /></command:inputType>" } }
        $outputs = foreach ($o in $command.OutputType) { "<command:returnValue><dev:type><maml:name>$(Escape $o.Name)</maml:name></dev:type><maml:description /></command:returnValue>" }
        $n = 0
        $examples = foreach ($e in @($help.Examples)) {
            $n++
            "<command:example><maml:title>-------------------------- Example $n`: $(Escape $e.Title) --------------------------</maml:title>" +
            "<dev:code>$(Escape $e.Code.Trim())</dev:code><dev:remarks>$(Paragraphs $e.Remarks)</dev:remarks></command:example>"
        }
        $notes = if ($help.ContainsKey('Notes')) { "<maml:alertSet><maml:alert>$(Paragraphs $help.Notes)</maml:alert></maml:alertSet>" } else { '' }
        $links = foreach ($l in @('about_OutlookQrGuard') + @($help['Links'] | Where-Object { $_ })) {
            "<maml:navigationLink><maml:linkText>$(Escape $l)</maml:linkText><maml:uri /></maml:navigationLink>"
        }
        @"
<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">
<command:details><command:name>$($command.Name)</command:name><command:verb>$($command.Verb)</command:verb><command:noun>$($command.Noun)</command:noun><maml:description>$(Paragraphs $help.Synopsis)</maml:description></command:details>
<maml:description>$(Paragraphs $help.Description)</maml:description>
<command:syntax>$($syntax -join '')</command:syntax>
<command:parameters>$($parameters -join '')</command:parameters>
<command:inputTypes>$($inputs -join '')</command:inputTypes>
<command:returnValues>$($outputs -join '')</command:returnValues>
$notes
<command:examples>$($examples -join '')</command:examples>
<command:relatedLinks>$($links -join '')</command:relatedLinks>
</command:command>
"@
    }
    $xml = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<helpItems schema=`"maml`" xmlns=`"http://msh`">`n$($items -join "`n")`n</helpItems>`n"
    $null = [xml]$xml  # fail the build on malformed XML rather than ship it
    $outDir = Join-Path $ModulePath $c
    $null = New-Item -ItemType Directory -Force $outDir
    Set-Content -Path (Join-Path $outDir 'OutlookQrGuard.dll-help.xml') -Value $xml -Encoding utf8 -NoNewline
    Write-Host "  help ($c): $($commands.Count) cmdlets"
}
