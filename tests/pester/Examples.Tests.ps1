# The shipped examples run for real: the Azure Automation runbook against the emulator, with the
# managed identity an Automation account would give it.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 30 -Devices 80
    $script:Root = Resolve-Path (Join-Path $PSScriptRoot '../..')
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'examples/AzureAutomation-Runbook.ps1' {
    It 'checks, disables, exports and reports with the managed identity, and revokes on request' {
        $mi = $Tenant.Credentials.managedIdentity
        $env:IDENTITY_ENDPOINT = $mi.identityEndpoint
        $env:IDENTITY_HEADER = $mi.identityHeader
        # The runbook imports the module by name, as in an Automation account.
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = (Split-Path $env:OQG_MODULE_PATH) + [IO.Path]::PathSeparator + $env:PSModulePath
        # What differs from Microsoft 365: the endpoints. Everything else is the runbook as shipped.
        $endpoint = Get-TenantEndpoint $Tenant
        foreach ($k in $endpoint.Keys) { $global:PSDefaultParameterValues["Connect-OutlookQrGuard:$k"] = $endpoint[$k] }
        try {
            Enable-OutlookQrSignin -Session (Connect-TestTenant $Tenant) -Confirm:$false
            Reset-TenantJournal $Tenant
            $out = & (Join-Path $Root 'examples/AzureAutomation-Runbook.ps1') -Organization $Tenant.Credentials.tenantDomain -RevokeSessions 6>&1 3>&1 | Out-String
            $out | Should -Match 'Connected to .* managed identity'
            $out | Should -Match 'QR sign-in prompt: Exposed'
            $out | Should -Match 'The prompt is now hidden'
            $out | Should -Match 'Outlook mobile devices of \d+ users'
            $out | Should -Match 'Revoked: \d+ user'
            $journal = Get-TenantJournal $Tenant
            @($journal.organizationConfigChanges).Count | Should -Be 1
            $seededUsers = @(Get-TenantSeededDevice $Tenant -Model 'Outlook for iOS and Android' | ForEach-Object { ($_.Identity -split '\\')[0] } | Sort-Object -Unique)
            @($journal.revocations).Count | Should -Be $seededUsers.Count
        }
        finally {
            foreach ($k in $endpoint.Keys) { $global:PSDefaultParameterValues.Remove("Connect-OutlookQrGuard:$k") }
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
            $env:PSModulePath = $savedModulePath
        }
    }
}
