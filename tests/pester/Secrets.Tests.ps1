# No secret reaches any PowerShell stream, error record or exported file: every cmdlet runs with
# -Verbose -Debug, all streams merged (*>&1) plus -ErrorVariable, in success and failure cases.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 12 -Devices 30 -Seed 5
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
    $script:Domain = $Creds.tenantDomain
    $script:Pfx = Join-Path $TestDrive 'app.pfx'
    [IO.File]::WriteAllBytes($Pfx, [Convert]::FromBase64String($Creds.certificateApp.pfxBase64))

    # What must never be shown. Wrong values typed by an admin are secrets too.
    $script:WrongSecret = 'Wr0ng~Secret.Value_4f1c9e77d2'
    $script:WrongPfxPassword = 'wrong-PFX-pass_8c2d41aa'
    $script:WrongIdentityHeader = 'wrong-identity-header-5b7e90c3'
    $script:ProxyUriPassword = 'Pr0xy-in-URI_71c2e0'
    $script:ProxyCredentialPassword = 'Pr0xy-Credential_9d3a55'
    $script:IssuedToken = Get-TenantAccessToken $Tenant -Resource Exchange
    $keyBody = ($Creds.certificateApp.privateKeyPem -split "`n" | Where-Object { $_ -and $_ -notmatch '-----' })
    $script:Secrets = [ordered]@{
        'client secret'              = $Creds.secretApp.clientSecret
        'PFX password'               = $Creds.certificateApp.pfxPassword
        'managed identity header'    = $Creds.managedIdentity.identityHeader
        'issued access token'        = $IssuedToken
        'wrong client secret'        = $WrongSecret
        'wrong PFX password'         = $WrongPfxPassword
        'wrong identity header'      = $WrongIdentityHeader
        'proxy password in the URI'  = $ProxyUriPassword
        'proxy credential password'  = $ProxyCredentialPassword
        'private key (whole body)'   = ($keyBody -join '')
    }
    # Every 64-character line of the key: a partial key is still a leak.
    $i = 0
    foreach ($line in $keyBody | Where-Object { $_.Length -ge 32 }) { $Secrets["private key line $((++$i))"] = $line.Trim() }
    $script:Noisy = @{ Verbose = $true; Debug = $true; WarningAction = 'Continue'; ErrorAction = 'Continue'; InformationAction = 'Continue' }

    # Runs a script block; returns every record of every stream, and the terminating error if any.
    function script:Invoke-Captured([scriptblock] $Script) {
        $records = [Collections.Generic.List[object]]::new()
        try { & $Script *>&1 | ForEach-Object { $records.Add($_) } }
        catch { $records.Add($_) }
        , $records
    }

    # All the text a record can show: messages, error records in full, objects as lists and JSON.
    function script:ConvertTo-Text($Record) {
        if ($null -eq $Record) { return }
        if ($Record -is [System.Management.Automation.ErrorRecord]) {
            $Record.ToString()
            $Record.Exception.ToString()
            $Record.FullyQualifiedErrorId
            $Record.CategoryInfo.ToString()
            if ($Record.ErrorDetails) { $Record.ErrorDetails.Message; $Record.ErrorDetails.RecommendedAction }
            if ($null -ne $Record.TargetObject) { ConvertTo-Text $Record.TargetObject }
            foreach ($key in $Record.Exception.Data.Keys) { "$key=$($Record.Exception.Data[$key])" }
            return
        }
        if ($Record -is [System.Management.Automation.InformationRecord]) { "$($Record.MessageData)"; return }
        if ($Record -is [System.Management.Automation.InformationalRecord]) { $Record.Message; return }
        if ($Record -is [string] -or $Record.GetType().IsPrimitive) { "$Record"; return }
        "$Record"
        $Record | Format-List * | Out-String -Width 4096
        try { $Record | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue -ErrorAction Stop } catch { }
    }

    # Fails naming the secret (never printing it) if any appears; also no JWT-shaped string.
    function script:Assert-NoSecret([object[]] $Records, [string[]] $ExtraText = @()) {
        $text = (@($Records | ForEach-Object { ConvertTo-Text $_ }) + $ExtraText) -join "`n"
        $text.Length | Should -BeGreaterThan 0 -Because 'something must have been captured'
        $leaks = @(foreach ($name in $Secrets.Keys) { if ($text.Contains($Secrets[$name])) { $name } })
        if ($text -match 'eyJ[A-Za-z0-9_\-]{8,}') { $leaks += 'a JWT-shaped string (eyJ…)' }
        $leaks | Should -BeNullOrEmpty -Because 'no secret may reach any stream or error record'
    }

    function script:Connect-WithSecret([string] $Secret = $Creds.secretApp.clientSecret) {
        $s = ConvertTo-SecureString $Secret -AsPlainText -Force
        Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $s @Endpoint @Noisy -ErrorVariable ev
        $ev
    }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Secrets stay out of every stream' {
    It 'the issued token has the shape the test looks for (a JWT)' {
        $IssuedToken | Should -Match '^eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$'
        $Secrets.Count | Should -BeGreaterThan 20 -Because 'the key lines are checked one by one'
    }

    It 'the detector itself catches a leak in a message, an exception, a target object, or a JWT' {
        $line = $Secrets['private key line 3']
        { Assert-NoSecret @("before $($Creds.secretApp.clientSecret) after") } | Should -Throw '*client secret*'
        $inner = [InvalidOperationException]::new("inner $($Creds.managedIdentity.identityHeader)")
        $record = [System.Management.Automation.ErrorRecord]::new([Exception]::new('outer', $inner), 'X', 'NotSpecified', $null)
        { Assert-NoSecret @($record) } | Should -Throw '*managed identity header*'
        $record = [System.Management.Automation.ErrorRecord]::new([Exception]::new('outer'), 'X', 'NotSpecified', [pscustomobject]@{ Key = "..$line.." })
        { Assert-NoSecret @($record) } | Should -Throw '*private key line 3*'
        { Assert-NoSecret @('Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig') } | Should -Throw '*JWT*'
        { Assert-NoSecret @('nothing to see') } | Should -Not -Throw
    }

    It 'Connect with a client secret' {
        $records = Invoke-Captured { Connect-WithSecret }
        @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.OutlookQrGuardSession' }).Count | Should -Be 1
        Assert-NoSecret $records
    }

    It 'Connect with a PFX file and its password (PS256 and RS256)' {
        $records = Invoke-Captured {
            $p = ConvertTo-SecureString $Creds.certificateApp.pfxPassword -AsPlainText -Force
            Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $Pfx -CertificatePassword $p @Endpoint @Noisy -ErrorVariable ev
            Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $Pfx -CertificatePassword $p -UseRS256 @Endpoint @Noisy -ErrorVariable +ev
            $ev
        }
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.OutlookQrGuardSession' }).Count | Should -Be 2
        Assert-NoSecret $records
    }

    It 'Connect with a certificate object (its key in memory)' {
        $records = Invoke-Captured {
            $cert = [Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($Creds.certificateApp.certificatePem, $Creds.certificateApp.privateKeyPem)
            Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -Certificate $cert @Endpoint @Noisy -ErrorVariable ev
            $ev
        }
        Assert-NoSecret $records
    }

    It 'Connect with the managed identity (IDENTITY_HEADER)' {
        $env:IDENTITY_ENDPOINT = $Creds.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $Creds.managedIdentity.identityHeader
        try {
            $records = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -ManagedIdentity @Endpoint @Noisy -ErrorVariable ev; $ev }
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.OutlookQrGuardSession' }).Count | Should -Be 1
        Assert-NoSecret $records
    }

    It 'Connect with a caller-supplied access token' {
        $records = Invoke-Captured {
            $t = ConvertTo-SecureString $IssuedToken -AsPlainText -Force
            Connect-OutlookQrGuard -Organization $Domain -AccessToken $t @Endpoint @Noisy -ErrorVariable ev
            $ev
        }
        Assert-NoSecret $records
    }

    It 'Test, Disable and Enable the prompt' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $records = Invoke-Captured {
            Test-OutlookQrSignin @Noisy -ErrorVariable ev
            Disable-OutlookQrSignin -Confirm:$false -PassThru @Noisy -ErrorVariable +ev
            Enable-OutlookQrSignin -Confirm:$false -PassThru @Noisy -ErrorVariable +ev
            Test-OutlookQrSignin -Quiet @Noisy -ErrorVariable +ev
            $ev
        }
        @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -BeGreaterThan 0 -Because 'Disable warns'
        Assert-NoSecret $records
    }

    It 'Get-OutlookMobileDevice' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $records = Invoke-Captured { Get-OutlookMobileDevice -AnyDeviceModel @Noisy -ErrorVariable ev; $ev }
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.OutlookMobileDevice' }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'Export-OutlookMobileDevice: streams and the CSV' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $path = Join-Path $TestDrive 'secrets.csv'
        $records = Invoke-Captured { Export-OutlookMobileDevice -Path $path -AnyDeviceModel -PassThru @Noisy -ErrorVariable ev; $ev }
        $csv = Get-Content -Raw -LiteralPath $path
        $csv.Length | Should -BeGreaterThan 1000
        Assert-NoSecret $records -ExtraText $csv
    }

    It 'Revoke-OutlookMobileSignin (successes and per-user failures)' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $records = Invoke-Captured {
            Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false @Noisy -ErrorVariable ev
            Revoke-OutlookMobileSignin "nobody@$Domain", 'bad upn' -Confirm:$false @Noisy -ErrorVariable +ev
            $ev
        }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 1
        Assert-NoSecret $records
    }

    It 'Block-/Unblock-OutlookAuthenticationTransfer (-WhatIf, create, enforce, delete, an unknown exclusion)' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $records = Invoke-Captured {
            Block-OutlookAuthenticationTransfer -WhatIf @Noisy -ErrorVariable ev
            Block-OutlookAuthenticationTransfer -Confirm:$false @Noisy -ErrorVariable +ev
            Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false @Noisy -ErrorVariable +ev
            Unblock-OutlookAuthenticationTransfer -Confirm:$false @Noisy -ErrorVariable +ev
            $ev
            # Last: a terminating error ends the captured block.
            Block-OutlookAuthenticationTransfer -ExcludeUser "nobody@$Domain" -Confirm:$false @Noisy
        }
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.PolicyChangeResult' }).Count | Should -BeGreaterThan 2
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'Get-OutlookQrSigninEvidence (both filter paths) and Export -IncludeSigninEvidence' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $path = Join-Path $TestDrive 'secrets-evidence.csv'
        $records = Invoke-Captured {
            Get-OutlookQrSigninEvidence @Noisy -ErrorVariable ev
            Set-TenantSetting $Tenant -RefuseTransferMethodFilter $true
            Get-OutlookQrSigninEvidence -InteractiveOnly @Noisy -ErrorVariable +ev
            Set-TenantSetting $Tenant -RefuseTransferMethodFilter $false
            Export-OutlookMobileDevice -Path $path -IncludeSigninEvidence -PassThru @Noisy -ErrorVariable +ev
            $ev
            # Last: the licence error is terminating and ends the captured block.
            Set-TenantSetting $Tenant -Premium $false
            Get-OutlookQrSigninEvidence @Noisy
        }
        Set-TenantSetting $Tenant -Premium $true
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        @($records | Where-Object { $_.PSObject.TypeNames[0] -eq 'OutlookQrGuard.Model.SigninEvidence' }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records -ExtraText (Get-Content -Raw -LiteralPath $path)
    }

    It 'Disconnect-OutlookQrGuard' {
        $s = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null | Select-Object -First 1
        $records = Invoke-Captured { Disconnect-OutlookQrGuard -Session $s @Noisy -ErrorVariable ev; $ev; $s }
        Assert-NoSecret $records
    }
}

Describe 'Secrets stay out of failures' {
    AfterEach { Reset-TenantFault $Tenant }

    It 'a wrong client secret' {
        $records = Invoke-Captured { Connect-WithSecret $WrongSecret }
        $err = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication*'
        Assert-NoSecret $records
    }

    It 'a proxy that cannot be reached, with credentials in its URI or in -ProxyCredential' {
        # A non-loopback authority, so the sign-in goes through the proxy (loopback never does);
        # nothing listens on port 1, so the proxy is unreachable and the error names it.
        $viaProxy = @{ AuthorityUri = 'https://login.example.invalid'; ExchangeUri = 'https://outlook.example.invalid'; GraphUri = 'https://graph.example.invalid'; AllowCustomEndpoint = $true }
        $secret = ConvertTo-SecureString $Creds.secretApp.clientSecret -AsPlainText -Force
        $proxyCredential = [pscredential]::new('CONTOSO\svc-proxy', (ConvertTo-SecureString $ProxyCredentialPassword -AsPlainText -Force))
        # Each connect ends in a terminating error, so each is captured on its own.
        $inUri = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $secret @viaProxy -Proxy "http://svc-proxy:$ProxyUriPassword@127.0.0.1:1" @Noisy -ErrorVariable ev; $ev }
        $asCredential = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $secret @viaProxy -Proxy 'http://127.0.0.1:1' -ProxyCredential $proxyCredential @Noisy -ErrorVariable ev; $ev }
        foreach ($records in $inUri, $asCredential) {
            $err = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $err.Count | Should -BeGreaterThan 0
            $err[0].ToString() | Should -BeLike "*proxy 'http://127.0.0.1:1/'*"
            Assert-NoSecret $records
        }
    }

    It '-ProxyCredential without -Proxy is refused before anything is sent' {
        $secret = ConvertTo-SecureString $Creds.secretApp.clientSecret -AsPlainText -Force
        $proxyCredential = [pscredential]::new('svc-proxy', (ConvertTo-SecureString $ProxyCredentialPassword -AsPlainText -Force))
        $records = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.secretApp.clientId -ClientSecret $secret -ProxyCredential $proxyCredential @Endpoint @Noisy }
        $err = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.ProxyCredentialWithoutProxy*'
        Assert-NoSecret $records
    }

    It 'a wrong PFX password' {
        $records = Invoke-Captured {
            $p = ConvertTo-SecureString $WrongPfxPassword -AsPlainText -Force
            Connect-OutlookQrGuard -Organization $Domain -AppId $Creds.certificateApp.clientId -CertificateFilePath $Pfx -CertificatePassword $p @Endpoint @Noisy -ErrorVariable ev
            $ev
        }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'a wrong managed identity header' {
        $env:IDENTITY_ENDPOINT = $Creds.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $WrongIdentityHeader
        try { $records = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -ManagedIdentity @Endpoint @Noisy -ErrorVariable ev; $ev } }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'a token reply cut in half (the JSON holds the token)' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'Token'; fault = 'TruncatedJson'; rate = 1.0 })
        $records = Invoke-Captured { Connect-WithSecret }
        $err = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $err.Count | Should -BeGreaterThan 0
        $err[-1].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Protocol*'
        Assert-NoSecret $records
    }

    It 'a managed identity reply cut in half' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'ManagedIdentity'; fault = 'TruncatedJson'; rate = 1.0 })
        $env:IDENTITY_ENDPOINT = $Creds.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $Creds.managedIdentity.identityHeader
        try { $records = Invoke-Captured { Connect-OutlookQrGuard -Organization $Domain -ManagedIdentity @Endpoint @Noisy -ErrorVariable ev; $ev } }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'an HTML error page instead of the token reply' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'Token'; fault = @{ HtmlErrorPage = @{ status = 502 } }; rate = 1.0 })
        $records = Invoke-Captured { Connect-WithSecret }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'an access token for the wrong audience' {
        $records = Invoke-Captured {
            $t = ConvertTo-SecureString (Get-TenantAccessToken $Tenant -Resource Graph) -AsPlainText -Force
            Connect-OutlookQrGuard -Organization $Domain -AccessToken $t @Endpoint @Noisy -ErrorVariable ev
            $ev
        }
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $records
    }

    It 'tokens expiring mid-session and rejected tokens (refresh under -Debug)' {
        $null = Connect-WithSecret 6>$null 4>$null 5>$null 3>$null
        $records = Invoke-Captured {
            Get-OutlookMobileDevice -ResultSize 3 @Noisy -ErrorVariable ev
            $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/expire-tokens' -Method POST
            Get-OutlookMobileDevice -ResultSize 3 @Noisy -ErrorVariable +ev
            Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphBatch'; fault = 'ExpiredToken'; everyNth = 1 })
            Revoke-OutlookMobileSignin "admin@$Domain" -Confirm:$false @Noisy -ErrorVariable +ev
            $ev
        }
        Assert-NoSecret $records
    }
}
