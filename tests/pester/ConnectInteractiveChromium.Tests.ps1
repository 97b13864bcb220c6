# Connect-OutlookQrGuard -Interactive end to end in a real browser: headless Chromium (Debian's
# chromium package, installed by tools/bootstrap.sh) opens the emulator's sign-in page, signs in,
# follows Entra's form_post page to the module's loopback listener and shows its page; then
# Test-OutlookQrSignin runs on the session. Skipped, saying why, where chromium is absent.
BeforeDiscovery {
    $script:NoChromium = -not $IsLinux -or -not (Test-Path /usr/bin/chromium)
}
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    if (-not $IsLinux -or -not (Test-Path /usr/bin/chromium)) { return }
    if (-not $env:OQG_HEADLESS_DLL -or -not (Test-Path $env:OQG_HEADLESS_DLL)) {
        # build.ps1 -Task Test builds it; a quick Pester run builds it here.
        $project = Join-Path $PSScriptRoot '../HeadlessSignin/HeadlessSignin.csproj'
        & dotnet build $project -c Debug --nologo -v quiet | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "building $project failed" }
        $env:OQG_HEADLESS_DLL = Join-Path $PSScriptRoot '../HeadlessSignin/bin/Debug/net10.0/HeadlessSignin.dll'
    }
    $script:Tenant = Start-TestTenant -Users 20 -Devices 40
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
    $script:SavedBrowser = $env:BROWSER
    $env:BROWSER = Join-Path $PSScriptRoot 'browser/headless-browser.sh'
    $script:PageFile = Join-Path ([IO.Path]::GetTempPath()) "oqg-chromium-$PID.txt"
    $env:OQG_FAKE_BROWSER_OUT = $PageFile
    $env:OQG_FAKE_BROWSER_LOGIN = $Creds.adminUpn
    $env:OQG_FAKE_BROWSER_PASSWORD = $Creds.userPassword
}
AfterAll {
    if ($script:Tenant) {
        $env:BROWSER = $SavedBrowser
        Remove-Item -LiteralPath $PageFile -ErrorAction Ignore
        Stop-TestTenant $Tenant
    }
}

Describe 'Connect-OutlookQrGuard -Interactive in headless Chromium' -Skip:$NoChromium {
    It 'signs in through the sign-in page, lands on the module''s page, and the session works' {
        Remove-Item -LiteralPath $PageFile -ErrorAction Ignore
        $s = Connect-OutlookQrGuard -Organization $Creds.tenantDomain -AppId $Creds.publicClientId -Interactive `
            -UserPrincipalName $Creds.adminUpn -TimeoutSeconds 180 @Endpoint -ErrorAction Stop
        $s.AuthenticationMethod | Should -Be 'Interactive'
        $s.UserPrincipalName | Should -Be $Creds.adminUpn
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-Path -LiteralPath $PageFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $page = Get-Content -LiteralPath $PageFile -Raw
        $page | Should -Match '^http://localhost:\d+/'
        $page | Should -Match 'Sign-in complete'
        $check = Test-OutlookQrSignin -Session $s
        $check.Organization | Should -Not -BeNullOrEmpty
    }
}
