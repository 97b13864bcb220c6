# Send-OutlookQrGuardLog against the tenant emulator's Logs Ingestion API (the emulator's base URL
# plays the data collection endpoint). Expected rows come from the emulator's seeded data and the
# control API (/_emulator/logs-ingestion), never from the cmdlet's own output.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 40 -Devices 120 -Seed 9
    $script:Session = Connect-TestTenant $Tenant
    $script:Target = @{
        DataCollectionEndpoint = $Tenant.BaseUrl
        RuleId                 = $Tenant.Credentials.logsIngestionRuleId
        StreamName             = $Tenant.Credentials.logsIngestionStream
    }
    function script:Get-IngestedRow { @((Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/logs-ingestion').rows) }
    function script:Reset-Ingested {
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/reset-logs-ingestion' -Method POST
        Reset-TenantJournal $Tenant
    }
    function script:Get-IngestionRequest { @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -eq 'LogsIngestion') }
    function script:Get-Failure([scriptblock] $Script) { try { & $Script; $null } catch { $_ } }
}

AfterAll {
    if ($Tenant) { Stop-TestTenant $Tenant }
}

Describe 'Send-OutlookQrGuardLog' {
    BeforeEach { Reset-Ingested }

    It 'sends the check result, which reads back with the same verdict as Test-OutlookQrSignin' {
        $check = Test-OutlookQrSignin
        $result = Send-OutlookQrGuardLog @Target -InformationAction SilentlyContinue
        $result.Rows | Should -Be 1
        $result.CheckRows | Should -Be 1
        $result.Batches | Should -Be 1
        $result.WhatIf | Should -BeFalse
        $rows = Get-IngestedRow
        $rows.Count | Should -Be 1
        $rows[0].RecordType | Should -Be 'CheckResult'
        $rows[0].Verdict | Should -Be $check.Verdict
        $rows[0].ConditionalAccessState | Should -Be $check.ConditionalAccessState
        $rows[0].EntraTenantId | Should -Be $Tenant.Credentials.tenantId
        $rows[0].Organization | Should -Be $Session.Organization
        [datetime]::Parse($rows[0].TimeGenerated, [cultureinfo]::InvariantCulture).ToUniversalTime() |
            Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(-5))
    }

    It 'sends one row per transfer sign-in with -IncludeEvidence' {
        $truth = @(Get-TenantTransferSignin $Tenant)
        $truth.Count | Should -BeGreaterThan 0
        $result = Send-OutlookQrGuardLog @Target -IncludeEvidence -InformationAction SilentlyContinue
        $result.EvidenceRows | Should -Be $truth.Count
        $rows = @(Get-IngestedRow | Where-Object RecordType -eq 'TransferSignin')
        $rows.Count | Should -Be $truth.Count
        @($rows.SigninId | Sort-Object) | Should -Be @($truth.id | Sort-Object)
        $first = $truth[0]
        $row = $rows | Where-Object SigninId -eq $first.id
        $row.UserPrincipalName | Should -Be $first.userPrincipalName
        $row.IpAddress | Should -Be $first.ipAddress
    }

    It 'turns piped drift-shaped objects into DriftDifference rows, in order' {
        $differences = @(
            [pscustomobject]@{ What = 'OrganizationConfig.MobileAppEducationEnabled'; From = $false; To = $true; Severity = 'High' }
            [pscustomobject]@{ What = 'ConditionalAccess.TransferBlock'; From = 'Enabled'; To = $null; Severity = 'Critical' }
            [pscustomobject]@{ What = 'OwaMailboxPolicy.OwaMailboxPolicy-Default.AccountTransferEnabled'; From = 'False'; To = 'True'; Severity = 'Medium' }
        )
        $result = $differences | Send-OutlookQrGuardLog @Target -SkipCheck -InformationAction SilentlyContinue
        $result.DriftRows | Should -Be 3
        $result.CheckRows | Should -Be 0
        $rows = Get-IngestedRow
        $rows.Count | Should -Be 3
        $rows.DriftWhat | Should -Be $differences.What
        $rows[0].DriftFrom | Should -Be 'False'
        $rows[0].DriftTo | Should -Be 'True'
        $rows[1].DriftTo | Should -Be ''
        $rows.Severity | Should -Be @('High', 'Critical', 'Medium')
        @($rows | Where-Object RecordType -ne 'DriftDifference').Count | Should -Be 0
    }

    It 'refuses a piped object without What, naming what to pipe, and sends nothing' {
        # Some drift properties but no What: the engine refuses the whole send.
        $e = Get-Failure { [pscustomobject]@{ From = 'a'; To = 'b'; Severity = 'Low' } | Send-OutlookQrGuardLog @Target -SkipCheck }
        "$e" | Should -Match "without 'What'"
        # None of them: PowerShell cannot bind the object at all.
        $e = Get-Failure { [pscustomobject]@{ Name = 'x' } | Send-OutlookQrGuardLog @Target -SkipCheck -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Match 'InputObjectNotBound'
        (Get-IngestionRequest).Count | Should -Be 0
    }

    It '-WhatIf counts what would be sent and sends nothing' {
        $info = $null
        $result = Send-OutlookQrGuardLog @Target -IncludeEvidence -WhatIf -InformationVariable info -InformationAction SilentlyContinue
        $result.WhatIf | Should -BeTrue
        $result.Rows | Should -Be (1 + @(Get-TenantTransferSignin $Tenant).Count)
        $result.Batches | Should -BeGreaterOrEqual 1
        $result.Bytes | Should -BeGreaterThan 0
        $result.SentBytes | Should -Be 0
        ($info | Out-String) | Should -Match 'Nothing was sent'
        (Get-IngestionRequest).Count | Should -Be 0
        (Get-IngestedRow).Count | Should -Be 0
    }

    It 'rejects a bad -RuleId with a message naming the expected shape' {
        foreach ($bad in 'my-dcr', '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/my-dcr', 'dcr-123') {
            $e = Get-Failure { Send-OutlookQrGuardLog -DataCollectionEndpoint $Tenant.BaseUrl -RuleId $bad }
            $e.FullyQualifiedErrorId | Should -Match 'ParameterArgumentValidationError'
            "$e" | Should -Match ([regex]::Escape("'$bad'"))
            "$e" | Should -Match 'dcr-'
        }
        (Get-IngestionRequest).Count | Should -Be 0
    }

    It 'rejects a -StreamName that is not Custom-*' {
        foreach ($bad in 'Microsoft-Syslog', 'OutlookQrGuard_CL', 'Custom-a/b') {
            $e = Get-Failure { Send-OutlookQrGuardLog -DataCollectionEndpoint $Tenant.BaseUrl -RuleId $Target.RuleId -StreamName $bad }
            $e.FullyQualifiedErrorId | Should -Match 'ParameterArgumentValidationError'
            "$e" | Should -Match 'Custom-'
        }
    }

    It 'reports the service refusing an unknown rule, with what to check' {
        $e = Get-Failure { Send-OutlookQrGuardLog -DataCollectionEndpoint $Tenant.BaseUrl -RuleId 'dcr-00000000000000000000000000000000' }
        "$e" | Should -Match 'RuleId'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses an endpoint outside the cloud before any request' {
        $e = Get-Failure { Send-OutlookQrGuardLog -DataCollectionEndpoint 'https://dce.example.com' -RuleId $Target.RuleId }
        "$e" | Should -Match 'ingest.monitor.azure.com'
        (Get-IngestionRequest).Count | Should -Be 0
    }

    It 'retries a throttled batch and still delivers every row once' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'LogsIngestion'; fault = @{ Throttle = @{ retryAfter = '1' } }; everyNth = 2 })
        try {
            1..3 | ForEach-Object { Send-OutlookQrGuardLog @Target -InformationAction SilentlyContinue } | Out-Null
        }
        finally { Clear-TenantFault $Tenant }
        (Get-IngestedRow).Count | Should -Be 3
        @(Get-IngestionRequest | Where-Object status -eq 429).Count | Should -BeGreaterThan 0
    }

    It 'writes no secret or token to Verbose or Debug output' {
        $records = Send-OutlookQrGuardLog @Target -IncludeEvidence -Verbose -Debug *>&1 | Out-String
        $records | Should -Match 'Sending'
        $records | Should -Not -Match ([regex]::Escape($Tenant.Credentials.secretApp.clientSecret))
        $records | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
        $records | Should -Not -Match '(?i)bearer\s+\S'
    }
}
