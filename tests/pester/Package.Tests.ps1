# The install path an admin takes: Install-PSResource from a repository, import by name, run a
# cmdlet. build.ps1 -Task Package (run by -Task Test first) writes out/package.
BeforeDiscovery {
    $script:HasPackage = [bool]($env:OQG_PACKAGE_PATH -and (Test-Path (Join-Path $env:OQG_PACKAGE_PATH 'repository/*.nupkg')))
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:PackagePath = $env:OQG_PACKAGE_PATH
    $script:Root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:Version = (Select-String -Path (Join-Path $Root 'Cargo.toml') -Pattern '^version\s*=\s*"([^"]+)"' | Select-Object -First 1).Matches[0].Groups[1].Value
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    function Get-ZipEntry([string] $Path) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try { $zip.Entries | Where-Object { $_.FullName -notmatch '/$' } | ForEach-Object { $_.FullName.Replace('\', '/') } }
        finally { $zip.Dispose() }
    }
    # What ships: the module and nothing from the build or the tests.
    $script:ModuleFiles = @(
        'OutlookQrGuard.psd1', 'OutlookQrGuard.dll', 'OutlookQrGuard.format.ps1xml', 'LICENSE',
        'ja/OutlookQrGuard.resources.dll',
        'en-US/about_OutlookQrGuard.help.txt', 'en-US/OutlookQrGuard.dll-help.xml',
        'ja-JP/about_OutlookQrGuard.help.txt', 'ja-JP/OutlookQrGuard.dll-help.xml'
    )
}

Describe 'The package' -Skip:(-not $HasPackage) {
    It 'is one .nupkg of this version holding exactly the module files' {
        $nupkg = @(Get-ChildItem (Join-Path $PackagePath 'repository/*.nupkg'))
        $nupkg.Count | Should -Be 1
        $nupkg[0].Name | Should -Be "outlookqrguard.$Version.nupkg"
        $entries = @(Get-ZipEntry $nupkg[0].FullName | Where-Object { $_ -notmatch '^(\[Content_Types\]\.xml|_rels/|package/|OutlookQrGuard\.nuspec$)' })
        $native = @($entries | Where-Object { $_ -like 'runtimes/*' })
        $native.Count | Should -BeGreaterThan 0
        $native | ForEach-Object { $_ | Should -Match '^runtimes/(win|linux|osx)(-musl)?-(x64|arm64)/native/(lib)?outlook_qr_guard\.(dll|so|dylib)$' }
        ($entries | Where-Object { $_ -notlike 'runtimes/*' } | Sort-Object) | Should -Be ($ModuleFiles | Sort-Object)
    }

    It 'has an Azure Automation zip with the module folder at its root' {
        $entries = @(Get-ZipEntry (Join-Path $PackagePath 'OutlookQrGuard.zip'))
        $entries | ForEach-Object { $_ | Should -BeLike 'OutlookQrGuard/*' }
        $entries | Should -Contain 'OutlookQrGuard/OutlookQrGuard.psd1'
        ($entries | Where-Object { $_ -notlike 'OutlookQrGuard/runtimes/*' } | ForEach-Object { $_.Substring('OutlookQrGuard/'.Length) } | Sort-Object) | Should -Be ($ModuleFiles | Sort-Object)
    }

    It 'installs with Install-PSResource into a clean profile, imports by name and works against a tenant' {
        $tenant = Start-TestTenant -Users 10 -Devices 20
        $cleanHome = Join-Path ([IO.Path]::GetTempPath()) "oqg-home-$PID"
        $null = New-Item -ItemType Directory -Force $cleanHome, (Join-Path $cleanHome '.local/share'), (Join-Path $cleanHome '.config')
        try {
            $repository = Join-Path $PackagePath 'repository'
            $secret = $tenant.Credentials.secretApp.clientSecret
            $script = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = Join-Path `$PSHOME 'Modules'
if (Get-Module -ListAvailable OutlookQrGuard) { throw 'the clean profile already has the module' }
Register-PSResourceRepository -Name Local -Uri '$repository' -Trusted
Install-PSResource OutlookQrGuard -Repository Local -Scope CurrentUser -TrustRepository
`$env:PSModulePath = (Join-Path `$HOME '.local/share/powershell/Modules') + [IO.Path]::PathSeparator + (Join-Path `$HOME 'Documents/PowerShell/Modules') + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module OutlookQrGuard
`$s = Connect-OutlookQrGuard -Organization '$($tenant.Credentials.tenantDomain)' -AppId '$($tenant.Credentials.secretApp.clientId)' -ClientSecret (ConvertTo-SecureString '$secret' -AsPlainText -Force) -AuthorityUri '$($tenant.BaseUrl)' -ExchangeUri '$($tenant.BaseUrl)' -GraphUri '$($tenant.BaseUrl)' -TrustedRootCertificatePath '$($tenant.CaPath)'
'module:' + (Get-Module OutlookQrGuard).ModuleBase
'verdict:' + (Test-OutlookQrSignin).Verdict
"@
            $saved = $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME
            $env:HOME = $cleanHome; $env:XDG_DATA_HOME = Join-Path $cleanHome '.local/share'; $env:XDG_CONFIG_HOME = Join-Path $cleanHome '.config'
            try { $out = & $env:OQG_PWSH -NoProfile -NonInteractive -Command $script 2>&1 | Out-String }
            finally { $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME = $saved }
            $out | Should -Match ('module:' + [regex]::Escape($cleanHome))
            $out | Should -Match 'verdict:(Exposed|PromptHidden)'
        }
        finally {
            Stop-TestTenant $tenant
            Remove-Item -Recurse -Force $cleanHome -ErrorAction SilentlyContinue
        }
    }
}
