# Connect-OutlookQrGuard -Interactive (authorization code + PKCE in the system browser) against
# the tenant emulator. The "browser" is tests/pester/browser/FakeBrowser.ps1, started through
# $BROWSER, which does over HTTP what a person does on the sign-in page. The real-browser run
# (headless Chromium) is in ConnectInteractiveChromium.Tests.ps1.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 20 -Devices 40
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
    $script:SavedBrowser = $env:BROWSER
    $env:BROWSER = Join-Path $PSScriptRoot 'browser/fake-browser.sh'
    $script:PageFile = Join-Path ([IO.Path]::GetTempPath()) "oqg-browser-$PID.html"
    $env:OQG_FAKE_BROWSER_OUT = $PageFile

    function script:Use-Browser([string] $Action = 'SignIn', [string] $Login = $Creds.adminUpn, [string] $Password = $Creds.userPassword) {
        $env:OQG_FAKE_BROWSER_ACTION = $Action
        $env:OQG_FAKE_BROWSER_LOGIN = $Login
        $env:OQG_FAKE_BROWSER_PASSWORD = $Password
        Remove-Item -LiteralPath $PageFile -ErrorAction Ignore
    }
    function script:Get-BrowserPage {
        # The fake browser writes its last page just after the module's listener answered it.
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Test-Path -LiteralPath $PageFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Get-Content -LiteralPath $PageFile -Raw
    }
    function script:Connect-Interactive([int] $TimeoutSeconds = 120) {
        Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.publicClientId -Interactive `
            -TimeoutSeconds $TimeoutSeconds @Endpoint -ErrorAction Stop
    }
}
AfterAll {
    $env:BROWSER = $SavedBrowser
    Remove-Item -LiteralPath $PageFile -ErrorAction Ignore
    Stop-TestTenant $Tenant
}

Describe 'Connect-OutlookQrGuard -Interactive' -Skip:$IsWindows {
    # Skipped on Windows: the module opens the browser by shell-execute there; $BROWSER is the
    # Linux/macOS convention these tests use to put the fake browser in its place.

    It 'signs in in the browser, then Test-OutlookQrSignin runs as the signed-in admin' {
        Use-Browser
        $all = @(Connect-Interactive 6>&1)
        $info = $all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
        $s = $all | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $s.AuthenticationMethod | Should -Be 'Interactive'
        $s.UserPrincipalName | Should -Be $Creds.adminUpn
        $s.AppId | Should -Be $Creds.publicClientId
        ($info | Out-String) | Should -Match 'browser'
        (Get-BrowserPage) | Should -Match 'Sign-in complete'
        (Test-OutlookQrSignin -Session $s).Organization | Should -Not -BeNullOrEmpty
        # One sign-in page visit (GET + POST); Graph came from the refresh token.
        $authorize = @((Get-TenantJournal $Tenant).requests | Where-Object { $_.path -like '*/oauth2/v2.0/authorize' })
        $authorize.Count | Should -BeGreaterOrEqual 2
    }

    It 'turns Cancel in the browser into a cancelled sign-in' {
        Use-Browser -Action Cancel
        $err = { Connect-Interactive } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Cancelled.SignInCancelled*'
        $err.Exception.Message | Should -Match 'AADSTS65004'
        (Get-BrowserPage) | Should -Match 'Sign-in failed'
    }

    It 'says admin consent is missing (AADSTS65001), naming the app' {
        Use-Browser
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/sign-in/next-outcome' -Method POST -Body @{ outcome = 'ConsentRequired' }
        $err = { Connect-Interactive } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied.ConsentRequired*'
        $err.Exception.Message | Should -Match $Creds.publicClientId
    }

    It 'says Conditional Access blocked the sign-in (AADSTS53003)' {
        Use-Browser
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/sign-in/next-outcome' -Method POST -Body @{ outcome = 'ConditionalAccessBlocked' }
        $err = { Connect-Interactive } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied.AADSTS53003*'
        $err.Exception.Message | Should -Match 'Conditional Access'
    }

    It 'says the account belongs to another tenant (AADSTS50020)' {
        Use-Browser -Login 'someone@fabrikam.example' -Password 'irrelevant'
        $err = { Connect-Interactive } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.WrongTenant*'
        $err.Exception.Message | Should -Match $Creds.tenantDomain
    }

    It 'times out clearly when nobody completes the sign-in (wrong password: the page stays)' {
        Use-Browser -Password 'wrong password'
        $err = { Connect-Interactive -TimeoutSeconds 10 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.InteractiveSignInTimeout*'
        $err.Exception.Message | Should -Match '10 seconds'
        (Get-BrowserPage) | Should -Match 'AADSTS50126'
    }

    It 'refuses an answer whose state is not its own' {
        Use-Browser -Action TamperState
        $err = { Connect-Interactive } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.InteractiveAnswerRefused*'
    }

    It 'prints the address when no browser can be opened, and keeps listening' {
        $saved = $env:BROWSER
        $env:BROWSER = 'false'
        try {
            $info = [System.Collections.Generic.List[object]]::new()
            $err = $null
            try { Connect-Interactive -TimeoutSeconds 10 6>&1 | ForEach-Object { $info.Add($_) } }
            catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Authentication.InteractiveSignInTimeout*'
            $text = $info | Out-String
            $text | Should -Match '/oauth2/v2\.0/authorize\?client_id='
            $text | Should -Match 'code_challenge_method=S256'
        }
        finally { $env:BROWSER = $saved }
    }

    It 'never writes a token or the code verifier to the output streams' {
        Use-Browser
        $all = & { Connect-Interactive -Verbose -Debug } *>&1 | Out-String
        $all | Should -Not -Match 'eyJ[A-Za-z0-9_-]{20,}\.'
        $all | Should -Not -Match 'code_verifier='
    }
}

Describe 'Connect-OutlookQrGuard default sign-in' {
    It 'refuses the implicit browser sign-in in a non-interactive host, saying what to use' {
        $pwsh = $env:OQG_PWSH
        $out = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$($env:OQG_MODULE_PATH)'; try { Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId $($Creds.publicClientId) -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }" 2>&1
        ($out | Select-Object -Last 1) | Should -BeLike 'OutlookQrGuard.NoCredentialNonInteractive*'
    }

    It 'makes -Interactive the default parameter set' {
        (Get-Command Connect-OutlookQrGuard).DefaultParameterSet | Should -Be 'Interactive'
    }
}
