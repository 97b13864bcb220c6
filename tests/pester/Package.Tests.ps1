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
    Import-Module (Join-Path $Root 'tools/BuildTools.psm1') -Force
    # The engines build.ps1 -Task Package puts in: this machine's, and on Linux x64 also the
    # Windows x64 one it cross-builds (Windows admins and Azure Automation's Windows workers).
    $script:Natives = @("runtimes/$(Get-NativeRid)/native/$(Get-NativeLibraryName)")
    if ($IsLinux -and (Get-NativeRid) -eq 'linux-x64') { $script:Natives += 'runtimes/win-x64/native/outlook_qr_guard.dll' }
    $script:WindowsDll = 'runtimes/win-x64/native/outlook_qr_guard.dll'
    function Expand-ZipEntry([string] $Path, [string] $Entry, [string] $Destination) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try { [System.IO.Compression.ZipFileExtensions]::ExtractToFile(($zip.Entries | Where-Object { $_.FullName.Replace('\', '/') -eq $Entry } | Select-Object -First 1), $Destination, $true) }
        finally { $zip.Dispose() }
    }
    # The PE facts the package test needs, read from the headers (Microsoft's PE format spec:
    # https://learn.microsoft.com/en-us/windows/win32/debug/pe-format): machine, PE32/PE32+,
    # DLL flag, and the DLL names of the import and delay-import tables.
    function Get-PeSummary([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        if ($b.Length -lt 64 -or $b[0] -ne 0x4D -or $b[1] -ne 0x5A) { throw "$Path has no MZ header" }
        $pe = [BitConverter]::ToInt32($b, 0x3C)
        if ([BitConverter]::ToUInt32($b, $pe) -ne 0x4550) { throw "$Path has no PE signature" }
        $sections = [BitConverter]::ToUInt16($b, $pe + 6)
        $optional = $pe + 24
        $magic = [BitConverter]::ToUInt16($b, $optional)
        $sectionTable = $optional + [BitConverter]::ToUInt16($b, $pe + 20)
        $toOffset = {
            param([uint32] $rva)
            for ($i = 0; $i -lt $sections; $i++) {
                $s = $sectionTable + 40 * $i
                $va = [BitConverter]::ToUInt32($b, $s + 12); $size = [Math]::Max([BitConverter]::ToUInt32($b, $s + 8), [BitConverter]::ToUInt32($b, $s + 16))
                if ($rva -ge $va -and $rva -lt $va + $size) { return [int]($rva - $va + [BitConverter]::ToUInt32($b, $s + 20)) }
            }
            throw "RVA 0x$($rva.ToString('x')) is in no section"
        }
        $readName = { param([int] $at) $end = [Array]::IndexOf($b, [byte]0, $at); [Text.Encoding]::ASCII.GetString($b, $at, $end - $at) }
        $directories = $optional + ($magic -eq 0x20B ? 112 : 96)
        $imports = [Collections.Generic.List[string]]::new()
        # Import descriptors are 20 bytes with the DLL name's RVA at +12; delay-load descriptors
        # are 32 bytes with it at +4. Both tables end with an all-zero entry.
        foreach ($table in @(@{ Index = 1; Size = 20; Name = 12 }, @{ Index = 13; Size = 32; Name = 4 })) {
            $rva = [BitConverter]::ToUInt32($b, $directories + 8 * $table.Index)
            if ($rva -eq 0) { continue }
            for ($at = (& $toOffset $rva); ; $at += $table.Size) {
                $nameRva = [BitConverter]::ToUInt32($b, $at + $table.Name)
                if ($nameRva -eq 0) { break }
                $imports.Add((& $readName (& $toOffset $nameRva)))
            }
        }
        [pscustomobject]@{
            Machine = [BitConverter]::ToUInt16($b, $pe + 4)
            Magic   = $magic
            IsDll   = ([BitConverter]::ToUInt16($b, $pe + 22) -band 0x2000) -ne 0
            Imports = $imports.ToArray()
        }
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
        foreach ($n in $Natives) { $native | Should -Contain $n }
        ($entries | Where-Object { $_ -notlike 'runtimes/*' } | Sort-Object) | Should -Be ($ModuleFiles | Sort-Object)
    }

    It 'has an Azure Automation zip with the module folder at its root' {
        $entries = @(Get-ZipEntry (Join-Path $PackagePath 'OutlookQrGuard.zip'))
        $entries | ForEach-Object { $_ | Should -BeLike 'OutlookQrGuard/*' }
        $entries | Should -Contain 'OutlookQrGuard/OutlookQrGuard.psd1'
        ($entries | Where-Object { $_ -notlike 'OutlookQrGuard/runtimes/*' } | ForEach-Object { $_.Substring('OutlookQrGuard/'.Length) } | Sort-Object) | Should -Be ($ModuleFiles | Sort-Object)
        foreach ($n in $Natives) { $entries | Should -Contain "OutlookQrGuard/$n" }
    }

    Context 'its Windows x64 engine' -Skip:(-not ($IsLinux -and [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64')) {
        BeforeAll {
            $script:Extracted = Join-Path ([IO.Path]::GetTempPath()) "oqg-win-$PID"
            $null = New-Item -ItemType Directory -Force $Extracted
            $script:PackagedDll = Join-Path $Extracted 'outlook_qr_guard.dll'
            Expand-ZipEntry (Get-ChildItem (Join-Path $PackagePath 'repository/*.nupkg'))[0].FullName $WindowsDll $PackagedDll
            $script:Pe = Get-PeSummary $PackagedDll
            $script:ApiHash = Get-BindingsApiHash -Root $Root
        }
        AfterAll { Remove-Item -Recurse -Force $Extracted -ErrorAction SilentlyContinue }

        It 'is a PE32+ x86-64 DLL' {
            $Pe.Machine | Should -Be 0x8664   # IMAGE_FILE_MACHINE_AMD64
            $Pe.Magic | Should -Be 0x20B      # PE32+
            $Pe.IsDll | Should -BeTrue
        }

        It 'imports only Windows system DLLs (no MinGW runtime such as libgcc_s or libwinpthread)' {
            $system = 'kernel32.dll', 'ntdll.dll', 'advapi32.dll', 'ws2_32.dll', 'bcrypt.dll', 'bcryptprimitives.dll', 'userenv.dll', 'crypt32.dll', 'secur32.dll', 'ncrypt.dll', 'msvcrt.dll', 'ole32.dll', 'oleaut32.dll', 'shell32.dll', 'user32.dll', 'iphlpapi.dll', 'winhttp.dll', 'ktmw32.dll'
            $Pe.Imports.Count | Should -BeGreaterThan 0
            foreach ($name in $Pe.Imports) {
                ($name.ToLowerInvariant() -in $system -or $name -match '^api-ms-win-[a-z0-9-]+\.dll$') | Should -BeTrue -Because "$name must be a DLL every Windows has"
            }
        }

        It 'passes the C smoke test under Wine: the API guard hash of the committed bindings, engine, build info, self-test with progress and log callbacks' -Skip:(-not $env:OQG_WINE_SMOKE) {
            # The smoke program, the test-only ProcessPrng shim beside it, and the packaged DLL.
            Copy-Item $env:OQG_WINE_SMOKE, $env:OQG_PRNG_SHIM $Extracted
            $env:WINEPREFIX = $env:OQG_WINEPREFIX; $env:WINEDEBUG = '-all'; $env:WINEDLLOVERRIDES = 'mscoree,mshtml='
            $out = & $env:OQG_WINE (Join-Path $Extracted 'smoke.exe') ('Z:' + $PackagedDll.Replace('/', '\')) $ApiHash $Version 2>&1 | Out-String
            $code = $LASTEXITCODE
            Write-Host $out
            $out | Should -Match 'PASSED: 0 failure'
            $out | Should -Match ('ok   API guard 0x' + $ApiHash)
            $out | Should -Match 'ok   progress callback: 4 calls'
            $code | Should -Be 0
        }
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
