# Connect-OutlookQrGuard / Disconnect-OutlookQrGuard against the tenant emulator.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 20 -Devices 40
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'Connect-OutlookQrGuard' {
    It 'signs in with a client secret and returns the session it makes the default' {
        $s = Connect-TestTenant $Tenant
        $s.PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.OutlookQrGuardSession'
        $s.Tenant | Should -Be $Creds.tenantDomain
        $s.AuthenticationMethod | Should -Be 'ClientSecret'
        $s.AppId | Should -Be $Creds.secretApp.clientId
        $s.IsConnected | Should -BeTrue
        (Test-OutlookQrSignin).Organization | Should -Not -BeNullOrEmpty
    }

    It 'signs in with a PFX file and its password (PS256 by default, RS256 on request)' {
        $pfx = Join-Path ([IO.Path]::GetTempPath()) "oqg-$PID.pfx"
        [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($Creds.certificateApp.pfxBase64))
        try {
            $password = ConvertTo-SecureString $Creds.certificateApp.pfxPassword -AsPlainText -Force
            $s = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.certificateApp.clientId -CertificateFilePath $pfx -CertificatePassword $password @Endpoint
            $s.AuthenticationMethod | Should -Be 'Certificate'
            $s2 = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.certificateApp.clientId -CertificateFilePath $pfx -CertificatePassword $password -UseRS256 @Endpoint
            $s2.IsConnected | Should -BeTrue
        }
        finally { Remove-Item $pfx -Force }
    }

    It 'signs in with an X509Certificate2 object (<_>), signing in C#, and again after the tokens expire' -ForEach @('PS256', 'RS256') {
        # The key stays in .NET: the engine gets the public certificate and a signer callback.
        $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($Creds.certificateApp.certificatePem, $Creds.certificateApp.privateKeyPem)
        $s = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.certificateApp.clientId -Certificate $cert -UseRS256:($_ -eq 'RS256') @Endpoint
        $s.AuthenticationMethod | Should -Be 'Certificate'
        (Test-OutlookQrSignin -Session $s).Organization | Should -Not -BeNullOrEmpty
        $cert.Dispose() # the session keeps a copy of its own
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/expire-tokens' -Method POST
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()
        # A token refresh on an engine thread, long after Connect returned: the signer is still there.
        (Test-OutlookQrSignin -Session $s).Organization | Should -Not -BeNullOrEmpty
    }

    It 'refuses a certificate without its private key, naming it' -Tag 'BadInput' {
        $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($Creds.certificateApp.certificatePem)
        $err = { Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.certificateApp.clientId -Certificate $cert @Endpoint } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.CertificateWithoutPrivateKey*'
        $err.Exception.Message | Should -Match $cert.Thumbprint
    }

    It 'signs in with the managed identity of an Automation account (system and user assigned)' {
        $env:IDENTITY_ENDPOINT = $Creds.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $Creds.managedIdentity.identityHeader
        try {
            $s = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -ManagedIdentity @Endpoint
            $s.AuthenticationMethod | Should -Be 'ManagedIdentity'
            $s.AppId | Should -Be 'system-assigned'
            $u = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -ManagedIdentity -ManagedIdentityAccountId $Creds.managedIdentity.userAssignedClientId @Endpoint
            $u.AppId | Should -Be $Creds.managedIdentity.userAssignedClientId
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
    }

    It 'uses a caller-supplied access token' {
        $token = Invoke-RestMethod -Method POST -Uri "$($Tenant.BaseUrl)/$($Creds.tenantDomain)/oauth2/v2.0/token" -SkipCertificateCheck -Body @{
            client_id = $Creds.secretApp.clientId; client_secret = $Creds.secretApp.clientSecret
            scope = 'https://outlook.office365.com/.default'; grant_type = 'client_credentials'
        }
        $secure = ConvertTo-SecureString $token.access_token -AsPlainText -Force
        $s = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AccessToken $secure @Endpoint
        $s.AuthenticationMethod | Should -Be 'AccessToken'
        (Test-OutlookQrSignin -Session $s).Verdict | Should -BeIn 'Exposed', 'PromptHidden'
    }

    It 'names the app and says what to do when the secret is wrong' -Tag 'BadInput' {
        $bad = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $err = { Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.secretApp.clientId -ClientSecret $bad @Endpoint } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.AADSTS7000215*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match $Creds.secretApp.clientId
        $err.Exception.Message | Should -Not -Match 'not-the-secret'
    }

    It 'reports an unknown tenant as AADSTS90002' -Tag 'BadInput' {
        $secret = ConvertTo-SecureString $Creds.secretApp.clientSecret -AsPlainText -Force
        $err = { Connect-OutlookQrGuard -Organization 'fabrikam.onmicrosoft.com' -AppId $Creds.secretApp.clientId -ClientSecret $secret @Endpoint } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.AADSTS90002*'
        $err.Exception.Message | Should -Match 'fabrikam'
    }

    It 'says which role is missing when the app has no Exchange role' -Tag 'BadInput' {
        $err = { Connect-TestTenant $Tenant -App noRoleApp } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -Match 'Exchange'
    }

    It 'reports an expired certificate' -Tag 'BadInput' {
        $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($Creds.expiredCertificateApp.certificatePem, $Creds.expiredCertificateApp.privateKeyPem)
        $err = { Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.expiredCertificateApp.clientId -Certificate $cert @Endpoint } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'expired'
    }

    It 'refuses a PFX with the wrong password without contacting the tenant' {
        $pfx = Join-Path ([IO.Path]::GetTempPath()) "oqg-bad-$PID.pfx"
        [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($Creds.certificateApp.pfxBase64))
        try {
            $wrong = ConvertTo-SecureString 'wrong password' -AsPlainText -Force
            $err = { Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.certificateApp.clientId -CertificateFilePath $pfx -CertificatePassword $wrong @Endpoint } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match ([regex]::Escape((Split-Path $pfx -Leaf)))
        }
        finally { Remove-Item $pfx -Force }
    }

    It 'fails fast for -Device when nobody can answer (non-interactive host)' {
        $pwsh = $env:OQG_PWSH
        $out = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$($env:OQG_MODULE_PATH)'; try { Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId $($Creds.publicClientId) -Device -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }" 2>&1
        ($out | Select-Object -Last 1) | Should -BeLike 'OutlookQrGuard.DeviceCodeNonInteractive*'
    }

    It 'rejects an unknown environment name before anything is sent' {
        { Connect-TestTenant $Tenant | Out-Null; Connect-OutlookQrGuard -Organization x.onmicrosoft.com -AppId ([guid]::NewGuid()) -ClientSecret (ConvertTo-SecureString x -AsPlainText -Force) -Environment Mars } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Disconnect-OutlookQrGuard' {
    It 'closes the default session; later commands say to connect' {
        $s = Connect-TestTenant $Tenant
        Disconnect-OutlookQrGuard
        $s.IsConnected | Should -BeFalse
        { Test-OutlookQrSignin } | Should -Throw -ErrorId 'OutlookQrGuard.NotConnected*'
    }

    It 'keeps other sessions working (several tenants in one script)' {
        $a = Connect-TestTenant $Tenant
        $b = Connect-TestTenant $Tenant
        Disconnect-OutlookQrGuard -Session $a
        (Test-OutlookQrSignin -Session $b).Organization | Should -Not -BeNullOrEmpty
        { Test-OutlookQrSignin -Session $a } | Should -Throw -ErrorId 'OutlookQrGuard.NotConnected*'
    }
}
