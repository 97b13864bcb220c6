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
            $out = & (Join-Path $Root 'examples/AzureAutomation-Runbook.ps1') -Organization $Tenant.Credentials.tenantDomain -RevokeSessions -DataCollectionEndpoint $Tenant.BaseUrl -DataCollectionRuleId $Tenant.Credentials.logsIngestionRuleId 6>&1 3>&1 | Out-String
            $out | Should -Match 'Connected to .* managed identity'
            $out | Should -Match 'QR sign-in prompt: Exposed'
            $out | Should -Match 'The prompt is now hidden'
            $out | Should -Match 'Outlook mobile devices of \d+ users'
            $out | Should -Match 'Revoked: \d+ user'
            $out | Should -Match 'Sent \d+ rows to Log Analytics'
            $ingested = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/logs-ingestion'
            @($ingested.rows | Where-Object RecordType -eq 'CheckResult').Count | Should -Be 1
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

Describe 'examples/AzureAutomation-Runbook.ps1 -BaselineVariable' {
    It 'keeps the baseline in an Automation variable and fails the job when the tenant got worse' {
        $mi = $Tenant.Credentials.managedIdentity
        $env:IDENTITY_ENDPOINT = $mi.identityEndpoint
        $env:IDENTITY_HEADER = $mi.identityHeader
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = (Split-Path $env:OQG_MODULE_PATH) + [IO.Path]::PathSeparator + $env:PSModulePath
        $endpoint = Get-TenantEndpoint $Tenant
        foreach ($k in $endpoint.Keys) { $global:PSDefaultParameterValues["Connect-OutlookQrGuard:$k"] = $endpoint[$k] }
        # The Automation sandbox's asset cmdlets, backed by a table (an existing, empty String variable).
        $global:OqgAutomationVariables = @{ OutlookQrGuardBaseline = $null }
        function global:Get-AutomationVariable([string] $Name) {
            if (-not $global:OqgAutomationVariables.ContainsKey($Name)) { throw "Variable '$Name' not found." }
            $global:OqgAutomationVariables[$Name]
        }
        function global:Set-AutomationVariable([string] $Name, $Value) {
            if (-not $global:OqgAutomationVariables.ContainsKey($Name)) { throw "Variable '$Name' not found." }
            $global:OqgAutomationVariables[$Name] = $Value
        }
        $runbook = Join-Path $Root 'examples/AzureAutomation-Runbook.ps1'
        try {
            $session = Connect-TestTenant $Tenant
            Enable-OutlookQrSignin -Session $session -Confirm:$false
            # First job: no baseline yet; the state after the job (prompt hidden) becomes it.
            $out = & $runbook -Organization $Tenant.Credentials.tenantDomain -BaselineVariable OutlookQrGuardBaseline 6>&1 3>&1 | Out-String
            $out | Should -Match 'Baseline updated'
            $first = $global:OqgAutomationVariables.OutlookQrGuardBaseline
            ($first | ConvertFrom-Json).promptEnabled | Should -BeFalse

            # Someone turns the prompt back on: the next job still hides it, then fails, keeping the baseline.
            Enable-OutlookQrSignin -Session (Connect-TestTenant $Tenant) -Confirm:$false
            { & $runbook -Organization $Tenant.Credentials.tenantDomain -BaselineVariable OutlookQrGuardBaseline 6>$null 3>$null | Out-Null } |
                Should -Throw '*got worse since the baseline*MobileAppEducationEnabled*'
            $global:OqgAutomationVariables.OutlookQrGuardBaseline | Should -BeExactly $first
            (Test-OutlookQrSignin -Session (Connect-TestTenant $Tenant)).MobileAppEducationEnabled | Should -BeFalse

            # The tenant is back to the baseline: the job passes.
            $out = & $runbook -Organization $Tenant.Credentials.tenantDomain -BaselineVariable OutlookQrGuardBaseline 6>&1 3>&1 | Out-String
            $out | Should -Match 'Drift: no change since the baseline'
        }
        finally {
            foreach ($k in $endpoint.Keys) { $global:PSDefaultParameterValues.Remove("Connect-OutlookQrGuard:$k") }
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
            Remove-Item Function:\Get-AutomationVariable, Function:\Set-AutomationVariable -ErrorAction SilentlyContinue
            Remove-Variable -Scope Global OqgAutomationVariables -ErrorAction SilentlyContinue
            $env:PSModulePath = $savedModulePath
        }
    }
}

Describe 'examples/Demo.ps1' {
    It 'runs check -> disable -> block (report-only, -WhatIf first) -> evidence -> export with evidence -> report -> revoke -WhatIf' {
        $out = Join-Path $TestDrive 'demo'
        $text = & $env:OQG_PWSH -NoProfile -NonInteractive -File (Join-Path $Root 'examples/Demo.ps1') -ModulePath $env:OQG_MODULE_PATH -EmulatorPath $env:OQG_EMULATOR_PATH -OutputDirectory $out -Users 60 -Devices 150 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $text
        $text = $text -replace '\x1b\[[0-9;]*m', ''  # the child's colours
        $text | Should -Match 'Verdict\s+: Exposed'
        $text | Should -Match 'What if: Create the Conditional Access policy .*\r?\nPOST /v1\.0/identity/conditionalAccess/policies'
        $text | Should -Match 'Conditional Access: ReportOnly'
        # The would-have-been-blocked summary comes first; the -Enforce advice only with it.
        $text | Should -Match 'Enforcing the report-only block would have blocked [\d,]+ sign-ins of [\d,]+ users'
        $text | Should -Match 'Would have been blocked: [\d,]+ users, [\d,]+ sign-ins'
        $text | Should -Match 'Recommendation: In the sign-in logs .* would have blocked \d+ sign-in\(s\) .*-Enforce'
        $text.IndexOf('Would have been blocked:') | Should -BeLessThan $text.IndexOf('Recommendation: In the sign-in logs')
        $text | Should -Match '\d+ authentication-transfer sign-ins by \d+ users'
        $text | Should -Match 'What if: Performing the operation "Revoke all sign-in sessions"'
        $header = [IO.File]::ReadAllLines((Join-Path $out 'outlook-mobile-devices.csv'))[0]
        $header | Should -Match '"UserDisplayNameNew","TransferSignInCount","TransferFirstSignIn","TransferLastSignIn"$'
        # The procedure's columns: UserDisplayName in O (15th), UserDisplayNameNew in AP (42nd).
        $cells = $header.TrimStart([char] 0xFEFF) -split ','
        $cells[14] | Should -BeExactly '"UserDisplayName"'
        $cells[41] | Should -BeExactly '"UserDisplayNameNew"'
        $text | Should -Match 'Columns as in the procedure: O = UserDisplayName, AP = UserDisplayNameNew'
        Test-Path (Join-Path $out 'outlook-qr-audit.html') | Should -BeTrue
    }
}
