# Which tenant the module's Exchange calls address. A custom (vanity) domain in the InvokeCommand
# URL breaks paging at page 2 ("Expired or Invalid pagination request", as reported); the module
# uses the tenant id from the token whatever -Organization was. Small pages (--page-size 5) so a
# listing spans many requests.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 20 -Devices 60 -Seed 5 -ExtraArguments '--page-size', '5'
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Creds = $Tenant.Credentials
    $script:Secret = ConvertTo-SecureString $Creds.secretApp.clientSecret -AsPlainText -Force
    $script:OutlookSeeded = @(Get-TenantSeededDeviceList $Tenant -Model 'Outlook for iOS and Android')

    # The {tenant} segment of every InvokeCommand since the last journal reset.
    function script:Get-InvokeTenant {
        @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ 'ExchangeInvokeCommand' |
                ForEach-Object { ($_.path -split '/')[3] })
    }
}
AfterAll {
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Connect-OutlookQrGuard -Organization: domain or tenant ID' {
    It 'the emulated tenant has a custom domain besides its .onmicrosoft.com one' {
        $Creds.tenantVanityDomain | Should -Be 'contoso.com'
        $Creds.tenantDomain | Should -BeLike '*.onmicrosoft.com'
        $OutlookSeeded.Count | Should -BeGreaterThan 10
    }

    It 'lists every Outlook device over many pages when connected with -Organization <Name>' -ForEach @(
        @{ Name = 'the custom domain'; Organization = { $Creds.tenantVanityDomain } }
        @{ Name = 'the tenant ID'; Organization = { $Creds.tenantId } }
        @{ Name = 'the .onmicrosoft.com domain'; Organization = { $Creds.tenantDomain } }
    ) {
        $org = & $Organization
        $s = Connect-OutlookQrGuard -Organization $org -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint
        $s.Tenant | Should -Be $org
        Reset-TenantJournal $Tenant
        $listed = @(Get-OutlookMobileDevice -Session $s)
        $listed.Count | Should -Be $OutlookSeeded.Count
        @($listed.DeviceId | Sort-Object) | Should -Be @($OutlookSeeded.DeviceId | Sort-Object)
        $tenants = Get-InvokeTenant
        $tenants.Count | Should -BeGreaterThan 2
        $tenants | Sort-Object -Unique | Should -Be $Creds.tenantId
        Disconnect-OutlookQrGuard -Session $s
    }

    It 'says in the Verbose output which tenant ID the Exchange calls address' {
        $out = Connect-OutlookQrGuard -Organization $Creds.tenantVanityDomain -AppId $Creds.secretApp.clientId -ClientSecret $Secret @Endpoint -Verbose 4>&1
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose -match [regex]::Escape($Creds.tenantId) | Should -Not -BeNullOrEmpty
        $verbose -match 'contoso\.com' | Should -Not -BeNullOrEmpty
        Disconnect-OutlookQrGuard -Session @($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0]
    }

    It 'connects a managed identity with the tenant ID too' {
        $env:IDENTITY_ENDPOINT = $Creds.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $Creds.managedIdentity.identityHeader
        try {
            $s = Connect-OutlookQrGuard -Organization $Creds.tenantId -ManagedIdentity @Endpoint
            Reset-TenantJournal $Tenant
            @(Get-OutlookMobileDevice -Session $s).Count | Should -Be $OutlookSeeded.Count
            Get-InvokeTenant | Sort-Object -Unique | Should -Be $Creds.tenantId
            Disconnect-OutlookQrGuard -Session $s
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
    }
}
