# Bad input across the cmdlets: each must give one clear ErrorRecord (stable id, category, a
# message that names the bad value or says what to do) and change nothing: no request the
# emulator's journal did not expect, no file.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 10 -Devices 20 -Seed 5
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
    $script:Domain = $Creds.tenantDomain
    $script:Secret = ConvertTo-SecureString $Creds.secretApp.clientSecret -AsPlainText -Force
    $script:Pfx = Join-Path $TestDrive 'app.pfx'
    [IO.File]::WriteAllBytes($Pfx, [Convert]::FromBase64String($Creds.certificateApp.pfxBase64))
    $script:Session = Connect-TestTenant $Tenant

    # Journal requests (of one endpoint class), one pipeline object each.
    function script:Get-Request([string] $Endpoint) {
        (Get-TenantJournal $Tenant).requests | Where-Object { -not $Endpoint -or $_.endpoint -eq $Endpoint }
    }
    # The terminating error of a script block (fails the test if there is none).
    function script:Get-Failure([scriptblock] $Script) {
        try { & $Script; $null }
        catch { $_ }
    }
    function script:New-Folder {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $dir
        $dir
    }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Connect-OutlookQrGuard refuses bad input' -Tag 'BadInput' {
    BeforeEach { Reset-TenantJournal $Tenant }

    It 'an empty tenant: parameter validation, nothing sent' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization '' -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Match 'TenantId'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a blank tenant: says what -Organization takes, nothing sent' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization '   ' -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '-Organization'
        $err.Exception.Message | Should -Match 'onmicrosoft\.com'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a tenant the directory does not know: AADSTS90002 naming it, nothing sent to Exchange' {
        # A tenant GUID or any domain is accepted (TenantUrl.Tests.ps1); a name Entra cannot
        # resolve fails at sign-in.
        $err = Get-Failure { Connect-OutlookQrGuard -Organization 'fabrikam.example' -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.AADSTS90002*'
        $err.Exception.Message | Should -Match 'fabrikam\.example'
        @(Get-Request ExchangeInvokeCommand).Count | Should -Be 0
    }

    It 'an app id the tenant does not know: AADSTS700016 naming the app, nothing sent to Exchange' {
        $appId = [guid]::NewGuid().ToString()
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $appId -ClientSecret $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.AADSTS700016*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match $appId
        @(Get-Request ExchangeInvokeCommand).Count | Should -Be 0
    }

    It 'a PFX path that does not exist: names the path, nothing sent' {
        $missing = Join-Path $TestDrive 'no-such.pfx'
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $missing -CertificatePassword $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match ([regex]::Escape($missing))
        @(Get-Request).Count | Should -Be 0
    }

    It 'a PFX with the wrong password: names the file, nothing sent' {
        $wrong = ConvertTo-SecureString 'not the password' -AsPlainText -Force
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $Pfx -CertificatePassword $wrong @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'app\.pfx'
        $err.Exception.Message | Should -Match 'password'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a file that is not a PFX at all: names the file, nothing sent' {
        $notPfx = Join-Path $TestDrive 'not-a.pfx'
        Set-Content -LiteralPath $notPfx -Value 'hello'
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $notPfx -CertificatePassword $Secret @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'not-a\.pfx'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a trusted-root path that does not exist: names the path, nothing sent' {
        $endpoint = $Endpoint.Clone()
        $endpoint.TrustedRootCertificatePath = Join-Path $TestDrive 'missing-ca.pem'
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.TrustedRootUnreadable*'
        $err.CategoryInfo.Category | Should -Be 'ReadError'
        $err.Exception.Message | Should -Match 'missing-ca\.pem'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a trusted-root file without a certificate: says so, nothing sent' {
        $endpoint = $Endpoint.Clone()
        $endpoint.TrustedRootCertificatePath = Join-Path $TestDrive 'garbage.pem'
        Set-Content -LiteralPath $endpoint.TrustedRootCertificatePath -Value 'not a certificate'
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'CERTIFICATE'
        @(Get-Request).Count | Should -Be 0
    }

    It 'an unknown -Environment: lists the valid ones, nothing sent' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret -Environment Mars @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $err.Exception.Message | Should -Match 'Mars'
        $err.Exception.Message | Should -Match 'USGovGCCHigh'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a plain-HTTP authority that is not loopback: refused, TLS required' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret -AuthorityUri 'http://login.example.com' -AllowCustomEndpoint -TrustedRootCertificatePath $Tenant.CaPath }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'http://login\.example\.com'
        $err.Exception.Message | Should -Match 'TLS'
        @(Get-Request).Count | Should -Be 0
    }

    It 'an override to a host neither of the cloud nor loopback: names parameter, host, cloud and the switch; nothing sent' {
        $custom = @{ AuthorityUri = $Tenant.BaseUrl; ExchangeUri = $Tenant.BaseUrl; GraphUri = 'https://graph.proxy.contoso.example'; TrustedRootCertificatePath = $Tenant.CaPath }
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @custom }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '-GraphUri'
        $err.Exception.Message | Should -Match 'graph\.proxy\.contoso\.example'
        $err.Exception.Message | Should -Match 'Global'
        $err.Exception.Message | Should -Match '-AllowCustomEndpoint'
        @(Get-Request).Count | Should -Be 0
    }

    It 'another cloud''s sign-in host: refused even with -AllowCustomEndpoint, nothing sent' {
        $mixed = @{ AuthorityUri = 'https://login.microsoftonline.us'; ExchangeUri = $Tenant.BaseUrl; GraphUri = $Tenant.BaseUrl; TrustedRootCertificatePath = $Tenant.CaPath }
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret -Environment Global @mixed -AllowCustomEndpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match '-AuthorityUri'
        $err.Exception.Message | Should -Match 'login\.microsoftonline\.us'
        $err.Exception.Message | Should -Match 'USGovGCCHigh'
        $err.Exception.Message | Should -Match 'not accepted in another'
        @(Get-Request).Count | Should -Be 0
    }

    It '-AllowCustomEndpoint lets a custom host through and warns once naming it; loopback alone warns nothing' {
        # Graph is not called by Connect, so the custom Graph host is never contacted here.
        $custom = @{ AuthorityUri = $Tenant.BaseUrl; ExchangeUri = $Tenant.BaseUrl; GraphUri = 'https://graph.proxy.contoso.example'; TrustedRootCertificatePath = $Tenant.CaPath }
        try {
            $s = Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @custom -AllowCustomEndpoint -WarningVariable warned -WarningAction SilentlyContinue
            $s.Environment | Should -Be 'Global (custom endpoints)'
            @($warned).Count | Should -Be 1
            "$($warned[0])" | Should -Match '-GraphUri graph\.proxy\.contoso\.example'
            "$($warned[0])" | Should -Match 'Global'
            "$($warned[0])" | Should -Not -Match ([regex]::Escape(([uri]$Tenant.BaseUrl).Host))
            $null = Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint -AllowCustomEndpoint -WarningVariable quiet -WarningAction SilentlyContinue
            @($quiet).Count | Should -Be 0
        }
        finally {
            # Later tests use the current session: make it a plain emulator one again.
            $script:Session = Connect-TestTenant $Tenant
        }
    }

    It 'the -AllowCustomEndpoint warning is in Japanese under a ja-JP UI culture' {
        $command = @"
[System.Globalization.CultureInfo]::CurrentUICulture = 'ja-JP'
Import-Module '$($env:OQG_MODULE_PATH)'
`$secret = ConvertTo-SecureString '$($Creds.secretApp.clientSecret)' -AsPlainText -Force
`$null = Connect-OutlookQrGuard -Organization '$Domain' -AppId '$($Creds.secretApp.clientId)' -ClientSecret `$secret -AuthorityUri '$($Tenant.BaseUrl)' -ExchangeUri '$($Tenant.BaseUrl)' -GraphUri 'https://graph.proxy.contoso.example' -TrustedRootCertificatePath '$($Tenant.CaPath)' -AllowCustomEndpoint -WarningVariable w -WarningAction SilentlyContinue
`$w | ForEach-Object Message
"@
        $out = & $env:OQG_PWSH -NoProfile -NonInteractive -Command $command 2>&1 | Out-String
        $out | Should -Match 'ループバック'
        $out | Should -Match '-GraphUri graph\.proxy\.contoso\.example'
    }

    It 'a certificate thumbprint in no store: names the thumbprint' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateThumbprint 'AA BB CC DD' @Endpoint }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.CertificateNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'AABBCCDD'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a -Proxy on a closed port: a connection error, not a hang' {
        # Loopback never goes through a proxy, so the service hosts here are the real (unreachable) ones.
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret -Proxy 'http://127.0.0.1:9' -WarningAction SilentlyContinue }
        # The retry budget (6 attempts, jittered backoff) ends it; the bound only catches a hang,
        # since a loaded machine stretches the backoff.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 60
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Connection*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    # An admin must be able to tell that -Proxy is the problem, not the service.
    It 'a -Proxy on a closed port: the message names the proxy' {
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret -Proxy 'http://127.0.0.1:9' -WarningAction SilentlyContinue }
        $err.Exception.Message | Should -Match '127\.0\.0\.1:9|proxy'
    }

    It 'an Exchange access token that is really a Graph token (wrong audience): rejected, says to pass a new token' {
        $graph = ConvertTo-SecureString (Get-TenantAccessToken $Tenant -Resource Graph) -AsPlainText -Force
        Reset-TenantJournal $Tenant
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AccessToken $graph @Endpoint -WarningAction SilentlyContinue }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'Exchange'
        $err.Exception.Message | Should -Match 'rejected'
        $err.Exception.Message | Should -Match 'new token'
        @(Get-Request ExchangeInvokeCommand | Where-Object status -EQ 401).Count | Should -BeGreaterThan 0
        @(Get-Request Token).Count | Should -Be 0 -Because 'a supplied token cannot be refreshed'
    }

    It 'a server certificate nobody trusts: a connection error about the certificate' {
        $endpoint = $Endpoint.Clone()
        $endpoint.Remove('TrustedRootCertificatePath')
        $err = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @endpoint -WarningAction SilentlyContinue }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Connection*'
        $err.Exception.Message | Should -Match 'certificate'
        @(Get-Request).Count | Should -Be 0 -Because 'no TLS handshake completed'
    }

    # A TLS trust failure cannot succeed on retry: it fails at once and says how to trust a CA.
    It 'a server certificate nobody trusts fails fast (no retries)' {
        $endpoint = $Endpoint.Clone()
        $endpoint.Remove('TrustedRootCertificatePath')
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $failure = Get-Failure { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @endpoint -WarningVariable w -WarningAction SilentlyContinue }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $failure.Exception.Message | Should -Match 'TrustedRootCertificatePath'
        @($w | Where-Object { "$_" -match 'retrying' }).Count | Should -Be 0
    }
}

Describe 'Get- and Export-OutlookMobileDevice refuse bad input' -Tag 'BadInput' {
    BeforeEach {
        $script:Session = Connect-TestTenant $Tenant
        Reset-TenantJournal $Tenant
        $script:Dir = New-Folder
    }
    AfterEach { Reset-TenantFault $Tenant }

    It 'a negative -ResultSize: OutlookQrGuard.InvalidResultSize naming it, no file, nothing sent' {
        $path = Join-Path $Dir 'x.csv'
        $err = Get-Failure { Export-OutlookMobileDevice -Path $path -ResultSize -5 }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidResultSize*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match "'-5'"
        Test-Path -LiteralPath $path | Should -BeFalse
        @(Get-Request).Count | Should -Be 0
    }

    It 'a path with a NUL character: refused, nothing written' {
        $err = Get-Failure { Export-OutlookMobileDevice -Path (Join-Path $Dir "a`0b.csv") }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'NUL'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
        @(Get-Request ExchangeInvokeCommand).Count | Should -Be 0
    }

    It 'a file name longer than 255 bytes: too long, nothing written' {
        $err = Get-Failure { Export-OutlookMobileDevice -Path (Join-Path $Dir (('端' * 90) + '.csv')) }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'too long'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
    }

    It 'a path longer than 4096 characters: too long, no folder created even with -Force' {
        $long = Join-Path $Dir ((@(1..45 | ForEach-Object { 'f' * 100 }) -join '/') + '/devices.csv')
        $long.Length | Should -BeGreaterThan 4096
        $err = Get-Failure { Export-OutlookMobileDevice -Path $long -Force }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'too long'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
        @(Get-Request ExchangeInvokeCommand).Count | Should -Be 0
    }

    It 'a file used as a folder: names it, nothing written' {
        $file = Join-Path $Dir 'plain.txt'
        Set-Content -LiteralPath $file -Value 'x'
        $err = Get-Failure { Export-OutlookMobileDevice -Path (Join-Path $file 'devices.csv') -Force }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $err.Exception.Message | Should -Match 'plain\.txt'
        $err.Exception.Message | Should -Match 'not a folder'
        Get-Content -LiteralPath $file | Should -Be 'x'
    }

    It 'a folder nobody may write to (chattr +i): access denied, nothing written' {
        if (-not (Get-Command chattr -ErrorAction SilentlyContinue)) { Set-ItResult -Skipped -Because 'chattr is not available (root ignores chmod 555)'; return }
        & chattr +i $Dir
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'this file system does not support the immutable flag'; return }
        try {
            $path = Join-Path $Dir 'devices.csv'
            $err = Get-Failure { Export-OutlookMobileDevice -Path $path }
            $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.*'
            $err.CategoryInfo.Category | Should -BeIn 'PermissionDenied', 'WriteError'
            $err.Exception.Message | Should -Match ([regex]::Escape($Dir))
            $err.Exception.Message | Should -Match 'denied|permission|read-only'
            @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
        }
        finally { & chattr -i $Dir }
    }

    It 'an unknown -Encoding: parameter validation lists the valid ones' {
        $err = Get-Failure { Export-OutlookMobileDevice -Path (Join-Path $Dir 'x.csv') -Encoding ebcdic }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $err.Exception.Message | Should -Match 'shift_jis'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
    }

    It 'an unknown device model: no error, no devices, a CSV with only the header' {
        @(Get-OutlookMobileDevice -DeviceModel 'Nokia 3310' -ErrorVariable e).Count | Should -Be 0
        $e | Should -BeNullOrEmpty
        $path = Join-Path $Dir 'none.csv'
        $null = Export-OutlookMobileDevice -Path $path -DeviceModel 'Nokia 3310' -InformationVariable info 6>$null
        $lines = @(Get-Content -LiteralPath $path)
        $lines.Count | Should -Be 1
        $lines[0] | Should -Match '^"PSComputerName","RunspaceId","PSShowComputerName","FriendlyName","DeviceId",'
        "$($info.MessageData)" | Should -Match '\b0\b'
    }

    It 'an unknown -UserPrincipalName: the service''s not-found error names the user, no file' {
        $user = "nobody@$Domain"
        $path = Join-Path $Dir 'nobody.csv'
        $err = Get-Failure { Export-OutlookMobileDevice -Path $path -UserPrincipalName $user }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.*'
        $err.CategoryInfo.Category | Should -BeIn 'InvalidArgument', 'ObjectNotFound'
        $err.Exception.Message | Should -Match ([regex]::Escape($user))
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
    }

    It 'malformed JSON from Exchange every time: a protocol error after retries, quoting the start of the body' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'ExchangeInvokeCommand'; fault = 'TruncatedJson'; rate = 1.0 })
        $path = Join-Path $Dir 'truncated.csv'
        $err = Get-Failure { Export-OutlookMobileDevice -Path $path -WarningAction SilentlyContinue }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Protocol*'
        $err.CategoryInfo.Category | Should -Be 'ProtocolError'
        $err.Exception.Message | Should -Match ([regex]::Escape('{"@odata.context"'))
        @(Get-Request ExchangeInvokeCommand).Count | Should -BeGreaterThan 1 -Because 'a malformed reply is retried'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
    }

    It 'an HTML error page (a proxy''s 502) every time: a connection error naming the status, no file' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'ExchangeInvokeCommand'; fault = @{ HtmlErrorPage = @{ status = 502 } }; rate = 1.0 })
        $path = Join-Path $Dir 'html.csv'
        $err = Get-Failure { Export-OutlookMobileDevice -Path $path -WarningAction SilentlyContinue }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Connection*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match '502'
        $err.Exception.Message | Should -Not -Match '<html|<body' -Because 'the page itself is noise'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
    }

    It 'tokens expiring between two calls: the second call signs in again once and works' {
        $first = @(Get-OutlookMobileDevice)
        Reset-TenantJournal $Tenant
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/expire-tokens' -Method POST
        $second = @(Get-OutlookMobileDevice -WarningAction SilentlyContinue)
        $second.Count | Should -Be $first.Count
        @(Get-Request Token).Count | Should -Be 1
        @(Get-Request ExchangeInvokeCommand | Where-Object status -EQ 401).Count | Should -Be 1
    }
}

Describe 'Revoke-OutlookMobileSignin refuses bad input' -Tag 'BadInput' {
    BeforeEach {
        $script:Session = Connect-TestTenant $Tenant
        Reset-TenantJournal $Tenant
    }

    It 'an empty string argument: parameter validation, nothing sent' {
        $err = Get-Failure { Revoke-OutlookMobileSignin '' -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $err.Exception.Message | Should -Match 'UserPrincipalName'
        @(Get-Request).Count | Should -Be 0
    }

    It 'an <Kind> string from the pipeline: Invalid, an error, nothing sent' -ForEach @(@{ Kind = 'empty'; Value = '' }, @{ Kind = 'all-blank'; Value = '   ' }) {
        $results = @($Value | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Status | Should -Be @('Invalid')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $errs[0].Exception.Message | Should -Match 'empty'
        @(Get-Request).Count | Should -Be 0
    }

    It '$null from the pipeline: parameter validation error, nothing sent' {
        $null | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $errs[0].Exception.Message | Should -Match 'InputObject'
        @(Get-Request).Count | Should -Be 0
    }

    It 'a UPN that would change the URL (<Value>): Invalid, nothing sent' -ForEach @(
        @{ Value = 'a/../me@contoso.onmicrosoft.com'; Reason = "'/'" }
        @{ Value = 'x?y=1@contoso.onmicrosoft.com'; Reason = "'\?'" }
        @{ Value = 'a%2Fb@contoso.onmicrosoft.com'; Reason = "'%'" }
    ) {
        $results = @(Revoke-OutlookMobileSignin $Value -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Status | Should -Be @('Invalid')
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($Value))
        $errs[0].Exception.Message | Should -Match $Reason
        @(Get-Request).Count | Should -Be 0
    }

    It 'a UPN longer than 256 characters: Invalid, nothing sent' {
        $value = ('a' * 300) + "@$Domain"
        $results = @(Revoke-OutlookMobileSignin $value -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Status | Should -Be @('Invalid')
        $errs[0].Exception.Message | Should -Match 'longer'
        @(Get-Request).Count | Should -Be 0
    }

    It 'something that is not a user (42): NotARevokeTarget says what to pipe, nothing sent' {
        42 | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotARevokeTarget*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].Exception.Message | Should -Match "'42'"
        $errs[0].Exception.Message | Should -Match 'Get-OutlookMobileDevice'
        @(Get-Request).Count | Should -Be 0
    }

    It 'an empty pipeline: no result, no error, nothing sent' {
        $results = @(@() | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable errs)
        $results.Count | Should -Be 0
        $errs.Count | Should -Be 0
        @(Get-Request).Count | Should -Be 0
    }

    It 'a closed session: NotConnected, nothing sent' {
        $closed = Connect-TestTenant $Tenant
        Disconnect-OutlookQrGuard -Session $closed
        Reset-TenantJournal $Tenant
        $err = Get-Failure { Revoke-OutlookMobileSignin "admin@$Domain" -Session $closed -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotConnected*'
        $err.Exception.Message | Should -Match 'Connect-OutlookQrGuard'
        @(Get-Request).Count | Should -Be 0
    }
}
