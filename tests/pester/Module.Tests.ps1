# The built module as an admin meets it: imported by path in a fresh pwsh process.
BeforeAll {
    $script:ModulePath = $env:OQG_MODULE_PATH
    if (-not $ModulePath) { throw 'Set OQG_MODULE_PATH to the built module folder (build.ps1 -Task Test does).' }
    $script:Root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:CargoVersion = (Select-String -Path (Join-Path $Root 'Cargo.toml') -Pattern '^version\s*=\s*"([^"]+)"' | Select-Object -First 1).Matches[0].Groups[1].Value
    $script:Pwsh = if ($env:OQG_PWSH) { $env:OQG_PWSH } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    Import-Module $ModulePath -Force
}

Describe 'Module layout and manifest' {
    It 'passes Test-ModuleManifest with the workspace version' {
        $m = Test-ModuleManifest (Join-Path $ModulePath 'OutlookQrGuard.psd1')
        $m.Version.ToString() | Should -Be $CargoVersion
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.PowerShellVersion.ToString() | Should -Be '7.4'
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'OutlookQrGuard.psd1')
        $exported = (Get-Command -Module OutlookQrGuard).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $manifest.CmdletsToExport | Should -Not -Contain '*'
    }

    It 'carries the native engine under runtimes/(rid)/native' {
        $native = Get-ChildItem -Recurse (Join-Path $ModulePath 'runtimes') -File
        $native.Count | Should -BeGreaterThan 0
        $native[0].Directory.Name | Should -Be 'native'
    }
}

Describe 'Get-OutlookQrGuardVersion' {
    It 'returns the same version from the manifest, the assembly and the native engine' {
        $v = Get-OutlookQrGuardVersion
        $v.ModuleVersion | Should -Be $CargoVersion
        $v.AssemblyVersion | Should -Be $CargoVersion
        $v.EngineVersion | Should -Be $CargoVersion
        $v.EngineBuild | Should -BeIn @('release', 'debug')
        $v.PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Cmdlets.OutlookQrGuardVersionInfo'
    }

    It 'has a short default table view' {
        $text = Get-OutlookQrGuardVersion | Out-String
        $text | Should -Match 'ModuleVersion\s+EngineVersion\s+EngineTarget\s+EngineBuild'
    }
}

Describe 'Native library loading' {
    It 'survives Import-Module -Force (the resolver registers once)' {
        Import-Module $ModulePath -Force
        Import-Module $ModulePath -Force
        (Get-OutlookQrGuardVersion).EngineVersion | Should -Be $CargoVersion
    }

    It 'loads from the module folder, not from the current directory' {
        $decoy = Join-Path ([IO.Path]::GetTempPath()) "oqg-decoy-$PID"
        $null = New-Item -ItemType Directory -Force $decoy
        try {
            # A file with the library's name in the working directory must never be picked up.
            Set-Content -Path (Join-Path $decoy 'liboutlook_qr_guard.so') -Value 'not a library'
            Set-Content -Path (Join-Path $decoy 'outlook_qr_guard.dll') -Value 'not a library'
            $out = & $Pwsh -NoProfile -NonInteractive -Command "Set-Location '$decoy'; Import-Module '$ModulePath'; (Get-OutlookQrGuardVersion).EngineVersion" 2>&1
            $LASTEXITCODE | Should -Be 0
            ($out | Select-Object -Last 1) | Should -Be $CargoVersion
        }
        finally { Remove-Item -Recurse -Force $decoy }
    }

    It 'names the files it looked for when the native engine is missing' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) "oqg-nonative-$PID/OutlookQrGuard"
        $null = New-Item -ItemType Directory -Force $copy
        try {
            Copy-Item -Recurse (Join-Path $ModulePath '*') $copy
            Remove-Item -Recurse -Force (Join-Path $copy 'runtimes')
            $out = & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$copy'; try { Get-OutlookQrGuardVersion -ErrorAction Stop } catch { `$_.Exception.ToString() }" 2>&1 | Out-String
            $out | Should -Match 'could not find its native engine'
            $out | Should -Match ([regex]::Escape((Join-Path $copy 'runtimes')))
        }
        finally { Remove-Item -Recurse -Force (Split-Path $copy) }
    }
}

Describe 'Help' {
    It 'gives <_> a synopsis, a description, every parameter, two examples and the about topic' -ForEach @(
        (Import-PowerShellDataFile (Join-Path $env:OQG_MODULE_PATH 'OutlookQrGuard.psd1')).CmdletsToExport
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeLike "*$_*[<]*"   # not the auto-generated syntax stub
        $help.Synopsis.Length | Should -BeGreaterThan 20
        ($help.Description | Out-String).Trim().Length | Should -BeGreaterThan 40
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        ($help.RelatedLinks | Out-String) | Should -Match 'about_OutlookQrGuard'
        $own = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters }
        foreach ($p in $own) {
            $described = $help.Parameters.Parameter | Where-Object Name -eq $p
            ($described.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'has an about topic in English and Japanese' {
        (Get-Help about_OutlookQrGuard | Out-String) | Should -Match 'QR'
        Test-Path (Join-Path $env:OQG_MODULE_PATH 'ja-JP/about_OutlookQrGuard.help.txt') | Should -BeTrue
        Test-Path (Join-Path $env:OQG_MODULE_PATH 'ja-JP/OutlookQrGuard.dll-help.xml') | Should -BeTrue
    }

    It 'answers in Japanese under a ja-JP UI culture' {
        $out = & $Pwsh -NoProfile -NonInteractive -Command "[System.Globalization.CultureInfo]::CurrentUICulture = 'ja-JP'; Import-Module '$ModulePath'; try { Test-OutlookQrSignin -ErrorAction Stop } catch { `$_.Exception.Message }" 2>&1 | Out-String
        $out | Should -Match '接続されていません'
    }
}
