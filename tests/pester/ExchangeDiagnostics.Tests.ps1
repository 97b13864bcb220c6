# Exchange failures as an admin sees them: the Exchange sentence and exception type, the ids
# Microsoft support asks for (client-request-id, request-id), and Exchange RBAC for applications.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 10 -Devices 10

    # Connects with one of the emulator's apps by its credentials name (exchangeRbacApp …).
    function script:Connect-TenantApp([string] $Name) {
        $endpoint = Get-TenantEndpoint $Tenant
        $credential = $Tenant.Credentials.$Name
        $credential | Should -Not -BeNullOrEmpty -Because "the emulator seeds $Name"
        $secret = ConvertTo-SecureString $credential.clientSecret -AsPlainText -Force
        Connect-OutlookQrGuard -Organization $Tenant.Credentials.tenantDomain -AppId $credential.clientId -ClientSecret $secret @endpoint
    }

    # The client-request-id of the last InvokeCommand call of $Cmdlet the emulator saw.
    function script:Get-SentRequestId([string] $Cmdlet) {
        @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet -EQ $Cmdlet)[-1].clientRequestId
    }
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'Exchange RBAC for applications' {
    It 'an app with Exchange roles assigned in Exchange and no Entra role connects and works' {
        $session = Connect-TenantApp 'exchangeRbacApp'
        $session | Should -Not -BeNullOrEmpty
        (Test-OutlookQrSignin -WarningAction SilentlyContinue).MobileAppEducationEnabled | Should -BeOfType [bool]
    }

    It 'an app with neither an Entra role nor an Exchange role gets PermissionDenied naming both ways and the call ids' {
        Reset-TenantJournal $Tenant
        $record = { Connect-TenantApp 'exchangeUnassignedApp' } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied*'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $text = $record.Exception.Message
        $text | Should -Match 'Exchange Administrator'
        $text | Should -Match 'RBAC for applications'
        $text | Should -Match 'New-ServicePrincipal'
        $text | Should -Match 'New-ManagementRoleAssignment -App'
        $sent = Get-SentRequestId 'Get-OrganizationConfig'
        $sent | Should -Match '^[0-9a-f-]{36}$'
        $text | Should -Match "client-request-id $sent, request-id [0-9a-f-]{36}"
        $record.Exception.ClientRequestId | Should -Be $sent
        $record.Exception.RequestId | Should -Match '^[0-9a-f-]{36}$'
        $text | Should -Match ([regex]::Escape($record.Exception.RequestId))
    }
}

Describe 'A failed cmdlet in the ErrorRecord' {
    It 'shows the Exchange sentence and exception type, not the generic message, with both ids' {
        $null = Connect-TenantApp 'exchangeRbacReaderApp'
        Reset-TenantJournal $Tenant
        $record = { Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue } | Should -Throw -PassThru
        $text = $record.Exception.Message
        $text | Should -Match "The term 'Set-OrganizationConfig' is not recognized"
        $text | Should -Match '\(System\.Management\.Automation\.CommandNotFoundException\)'
        $text | Should -Not -Match 'Error executing cmdlet'
        $record.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied.CommandNotFoundException*'
        $sent = Get-SentRequestId 'Set-OrganizationConfig'
        $text | Should -Match "client-request-id $sent, request-id [0-9a-f-]{36}"
        $record.Exception.ClientRequestId | Should -Be $sent
        $record.Exception.ServiceCode | Should -Be 'CommandNotFoundException'
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 0
    }
}

Describe 'Diagnostics headers' {
    It '-Verbose names the client-request-id of each request, the one the service received' {
        $null = Connect-TestTenant $Tenant
        Reset-TenantJournal $Tenant
        $verbose = Test-OutlookQrSignin -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $lines = @($verbose | Where-Object Message -Match 'InvokeCommand -> 200 .*\[client-request-id ([0-9a-f-]{36})\]')
        $lines.Count | Should -BeGreaterThan 0
        # The check reads the OWA mailbox policies alongside, so the order of the lines varies.
        $shown = @($lines | ForEach-Object { $null = $_.Message -match '\[client-request-id ([0-9a-f-]{36})\]'; $Matches[1] })
        $shown | Should -Contain (Get-SentRequestId 'Get-OrganizationConfig')
        $received = @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet | ForEach-Object clientRequestId)
        $shown | ForEach-Object { $received | Should -Contain $_ }
        $requests = @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet)
        $requests.clientApplication | Should -Not -Contain $null
        $requests.clientApplication | Select-Object -Unique | Should -Be 'ExoManagementModule'
    }
}
