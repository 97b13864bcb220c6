# Test-OutlookQrSignin -BaselinePath / -UpdateBaseline (issue #17) against the tenant emulator:
# the first run writes the baseline, an unchanged tenant shows nothing, a change shows as a
# DriftDifference with a warning and -Quiet $false, -WhatIf writes nothing, and a corrupt or
# foreign baseline stops with an error naming the file, which is left untouched.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 20 -Devices 20
    $null = Connect-TestTenant $Tenant
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'Test-OutlookQrSignin -BaselinePath' {
    BeforeEach {
        Reset-TenantCaPolicy $Tenant
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $script:Baseline = Join-Path $TestDrive "baseline-$([guid]::NewGuid()).json"
    }

    It 'the first run says there is no baseline; -UpdateBaseline writes it; an unchanged tenant has no difference' {
        $none = @(Test-OutlookQrSignin -BaselinePath $Baseline -WarningVariable w -WarningAction SilentlyContinue)
        $none.Count | Should -Be 0
        ($w -join ' ') | Should -Match 'no baseline'
        Test-Path $Baseline | Should -BeFalse

        $first = @(Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false -WarningVariable w2 -WarningAction SilentlyContinue)
        $first.Count | Should -Be 0
        $w2.Count | Should -Be 0
        $json = Get-Content -Raw $Baseline | ConvertFrom-Json
        $json.schemaVersion | Should -Be 1
        $json.verdict | Should -Be 'PromptHidden'
        $json.promptEnabled | Should -BeFalse
        (Get-Content -Raw $Baseline) | Should -Not -Match ([regex]::Escape($Tenant.Credentials.secretApp.clientSecret))

        @(Test-OutlookQrSignin -Baseline $Baseline).Count | Should -Be 0
        Test-OutlookQrSignin -BaselinePath $Baseline -Quiet | Should -BeExactly $true
    }

    It 'the prompt turned on: a Worse difference, a warning, -Quiet $false' {
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false
        Enable-OutlookQrSignin -Confirm:$false
        $d = @(Test-OutlookQrSignin -BaselinePath $Baseline -WarningVariable w -WarningAction SilentlyContinue)
        $d[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.DriftDifference'
        $prompt = $d | Where-Object Path -EQ 'promptEnabled'
        $prompt.Severity | Should -Be 'Worse'
        $prompt.From | Should -Be 'False'
        $prompt.To | Should -Be 'True'
        ($d | Where-Object Path -EQ 'verdict').To | Should -Be 'Exposed'
        ($w -join ' ') | Should -Match 'MobileAppEducationEnabled'
        Test-OutlookQrSignin -BaselinePath $Baseline -Quiet -WarningAction SilentlyContinue | Should -BeExactly $false
        # Flat: one row each for a log or a CSV.
        ($d | ConvertTo-Csv | Select-Object -Skip 1).Count | Should -Be $d.Count
    }

    It 'a new exclusion on the block is Worse and names the group' {
        $group = Get-TenantGroup $Tenant | Where-Object displayName -EQ 'Executives'
        $null = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody)
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false
        $policy = Get-TenantCaPolicy $Tenant | Where-Object displayName -EQ 'Block authentication transfer (made by hand)'
        Reset-TenantCaPolicy $Tenant
        $body = New-TransferBlockPolicyBody -ExcludeGroups $group.id
        $body.id = $policy.id
        $null = Add-TenantCaPolicy $Tenant $body
        $d = @(Test-OutlookQrSignin -BaselinePath $Baseline -WarningVariable w -WarningAction SilentlyContinue)
        $excluded = $d | Where-Object Path -Like '*.excludedGroups'
        $excluded.Severity | Should -Be 'Worse'
        $excluded.To | Should -Be "Executives ($($group.id))"
        ($w -join ' ') | Should -Match 'Executives'
    }

    It '-WhatIf writes nothing' {
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -WhatIf -WarningAction SilentlyContinue
        Test-Path $Baseline | Should -BeFalse
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false
        $before = Get-Content -Raw $Baseline
        Enable-OutlookQrSignin -Confirm:$false
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -WhatIf -WarningAction SilentlyContinue
        Get-Content -Raw $Baseline | Should -BeExactly $before
    }

    It 'a corrupt baseline: a clear error naming the file, and the file untouched' {
        Set-Content -LiteralPath $Baseline -Value '{"schemaVersion": 1, "verdict": ' -NoNewline
        $e = { Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match ([regex]::Escape($Baseline))
        $e.Exception.Message | Should -Match 'not a valid OutlookQrGuard snapshot'
        $e.FullyQualifiedErrorId | Should -Match 'BaselineCorrupt'
        Get-Content -Raw $Baseline | Should -BeExactly '{"schemaVersion": 1, "verdict": '
    }

    It 'another schema version or another tenant: refused, file untouched' {
        $null = Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false
        $good = Get-Content -Raw $Baseline
        Set-Content -LiteralPath $Baseline -Value ($good -replace '"schemaVersion": 1', '"schemaVersion": 7') -NoNewline
        { Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false } | Should -Throw '*schemaVersion 7*'
        $other = $good -replace '"tenantId": "[^"]*"', '"tenantId": "00000000-0000-0000-0000-0000000000aa"' -replace '"organization": "[^"]*"', '"organization": "fabrikam.onmicrosoft.com"'
        Set-Content -LiteralPath $Baseline -Value $other -NoNewline
        { Test-OutlookQrSignin -BaselinePath $Baseline -UpdateBaseline -Confirm:$false } | Should -Throw '*fabrikam.onmicrosoft.com*'
        Get-Content -Raw $Baseline | Should -BeExactly $other
    }

    It '-UpdateBaseline without -BaselinePath is refused' {
        { Test-OutlookQrSignin -UpdateBaseline } | Should -Throw '*-BaselinePath*'
    }
}
