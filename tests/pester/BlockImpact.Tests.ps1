# Get-OutlookQrBlockImpact (what enforcing the report-only transfer block would break), piped into
# Revoke-OutlookMobileSignin, and the report-only evidence in Test-OutlookQrSignin and the report,
# against the tenant emulator. Expected results come from the emulator's seeded sign-ins and its
# own evaluation of the policies (the control API), never from the cmdlets' output.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 40 -Devices 120 -Seed 9
    $script:Session = Connect-TestTenant $Tenant
    $script:OwnName = 'OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)'
    function script:Get-Failure([scriptblock] $Script) { try { & $Script; $null } catch { $_ } }
    function script:Reset-Tenant {
        Reset-TenantFault $Tenant
        Reset-TenantCaPolicy $Tenant
        Set-TenantSetting $Tenant -Premium $true -RefuseTransferMethodFilter $false -SignInRatePerSecond 0
        Reset-TenantJournal $Tenant
    }
    # The module's report-only block, in place for 40 days.
    function script:New-AgedBlock([string[]] $ExcludeUser = @()) {
        $splat = @{ Confirm = $false }
        if ($ExcludeUser) { $splat.ExcludeUser = $ExcludeUser }
        $r = Block-OutlookAuthenticationTransfer @splat
        Set-TenantCaPolicyAge $Tenant -PolicyId $r.PolicyId -Days 40
        $r.PolicyId
    }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Get-OutlookQrBlockImpact' {
    BeforeEach { Reset-Tenant }

    It 'without a report-only block it stops with an error that says what to do' {
        $e = Get-Failure { Get-OutlookQrBlockImpact -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike '*NoReportOnlyTransferBlock*'
        $e.Exception.Message | Should -Match 'Block-OutlookAuthenticationTransfer'
    }

    It 'lists per user and app what the report-only block would have blocked, and a summary line' {
        $id = New-AgedBlock
        $truth = @(Get-TenantBlockImpact $Tenant -PolicyId $id)
        $truth.Count | Should -BeGreaterThan 3 -Because 'the seed has users who signed in through the QR code'
        $info = $null
        $rows = @(Get-OutlookQrBlockImpact -InformationVariable info)
        $rows.Count | Should -Be $truth.Count
        foreach ($t in $truth) {
            $row = @($rows | Where-Object { "$($_.UserId)|$($_.AppId)" -eq $t.Key })
            $row.Count | Should -Be 1
            $row[0].SignIns | Should -Be $t.SignIns
            $row[0].UserPrincipalName | Should -Be $t.UserPrincipalName
            $row[0].Policies | Should -Be @($OwnName)
            $row[0].FirstSignIn | Should -BeLessOrEqual $row[0].LastSignIn
        }
        $rows[0].GetType().Name | Should -Be 'BlockImpact'
        $total = ($truth | Measure-Object SignIns -Sum).Sum
        $users = @($truth.UserId | Select-Object -Unique).Count
        "$info" | Should -Match ("would have blocked {0:N0} sign-ins of {1:N0} users" -f $total, $users)
    }

    It 'sends Prefer: include-unknown-enum-members (without it nothing would be counted)' {
        $null = New-AgedBlock
        $rows = @(Get-OutlookQrBlockImpact -WarningVariable w -WarningAction SilentlyContinue)
        $rows.Count | Should -BeGreaterThan 0
        @($w | Where-Object { "$_" -match 'unknownFutureValue' }).Count | Should -Be 0
    }

    It 'flags a user excluded since and keeps their past sign-ins' {
        $id = New-AgedBlock
        $victim = (Get-TenantBlockImpact $Tenant -PolicyId $id | Select-Object -First 1)
        $null = Block-OutlookAuthenticationTransfer -ExcludeUser $victim.UserPrincipalName -Confirm:$false
        $rows = @(Get-OutlookQrBlockImpact | Where-Object UserId -EQ $victim.UserId)
        $rows.Count | Should -BeGreaterThan 0
        @($rows | Where-Object { -not $_.ExcludedNow }).Count | Should -Be 0
    }

    It '-UserPrincipalName narrows the listing to that user' {
        $id = New-AgedBlock
        $one = (Get-TenantBlockImpact $Tenant -PolicyId $id | Select-Object -First 1)
        $rows = @(Get-OutlookQrBlockImpact -UserPrincipalName $one.UserPrincipalName)
        $rows.Count | Should -BeGreaterThan 0
        @($rows | Where-Object UserId -NE $one.UserId).Count | Should -Be 0
        ($rows | Measure-Object SignIns -Sum).Sum | Should -Be $one.SignIns
    }

    It 'without Entra ID P1 the error names the licence' {
        $null = New-AgedBlock
        Set-TenantSetting $Tenant -Premium $false
        $e = Get-Failure { Get-OutlookQrBlockImpact -ErrorAction Stop }
        $e.Exception.Message | Should -Match 'P1'
    }

    It 'refuses an empty window before reading the sign-in log' {
        $null = New-AgedBlock
        Reset-TenantJournal $Tenant
        $e = Get-Failure { Get-OutlookQrBlockImpact -Since (Get-Date) -Until (Get-Date).AddDays(-1) -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike '*InvalidTimeWindow*'
        @(Get-TenantRequest $Tenant 'GraphSignIns').Count | Should -Be 0
    }

    It 'pipes into Revoke-OutlookMobileSignin: one revocation per user, -WhatIf revokes nothing' {
        $id = New-AgedBlock
        $users = @(Get-TenantBlockImpact $Tenant -PolicyId $id | Select-Object -ExpandProperty UserId -Unique)
        $rows = @(Get-OutlookQrBlockImpact)
        ($rows | Measure-Object SignIns -Sum).Sum | Should -BeGreaterThan $users.Count -Because 'users must have several sign-ins for the dedupe to be tested'
        Get-OutlookQrBlockImpact | Revoke-OutlookMobileSignin -WhatIf
        @((Get-TenantJournal $Tenant).revocations).Count | Should -Be 0
        $results = @(Get-OutlookQrBlockImpact | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Count | Should -Be $users.Count
        @((Get-TenantJournal $Tenant).revocations.userId | Sort-Object) | Should -Be @($users | Sort-Object)
    }
}

Describe 'Test-OutlookQrSignin with a report-only block' {
    BeforeEach { Reset-Tenant }

    It 'gives the would-be-blocked totals and advises -Enforce only next to them' {
        $id = New-AgedBlock
        $truth = @(Get-TenantBlockImpact $Tenant -PolicyId $id)
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'ReportOnly'
        $r.WouldBlockSignIns | Should -Be ($truth | Measure-Object SignIns -Sum).Sum
        $r.WouldBlockUsers | Should -Be @($truth.UserId | Select-Object -Unique).Count
        $r.EnforceRecommendation | Should -Match '-Enforce'
        $r.EnforceRecommendation | Should -Match ('{0} sign-in\(s\)' -f $r.WouldBlockSignIns)
        $r.ConditionalAccessReason | Should -Not -Match '-Enforce'
    }

    It 'names a likely break-glass account (excluded elsewhere, not from the block) before -Enforce' {
        $id = New-AgedBlock
        $bg = (Get-TenantBlockImpact $Tenant -PolicyId $id | Select-Object -First 1)
        $null = Add-TenantCaPolicy $Tenant @{
            displayName = 'Require MFA (break-glass excluded)'; state = 'enabled'
            conditions = @{ users = @{ includeUsers = @('All'); excludeUsers = @($bg.UserId) }; applications = @{ includeApplications = @('All') }; clientAppTypes = @('all') }
            grantControls = @{ operator = 'OR'; builtInControls = @('mfa') }
        }
        $r = Test-OutlookQrSignin
        $r.WouldBlockBreakGlassUsers | Should -Be @($bg.UserPrincipalName)
        $r.EnforceRecommendation.IndexOf($bg.UserPrincipalName) | Should -BeLessThan $r.EnforceRecommendation.IndexOf('-Enforce')
    }

    It 'without evidence (the sign-in log refuses) warns and gives no -Enforce advice' {
        $null = New-AgedBlock
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphSignIns'; fault = @{ ServerError = @{ status = 400; retryAfter = '0' } }; rate = 1.0 })
        $r = Test-OutlookQrSignin -WarningVariable w -WarningAction SilentlyContinue
        $r.ConditionalAccessState | Should -Be 'ReportOnly'
        $r.ReportOnlyImpact | Should -BeNullOrEmpty
        $r.EnforceRecommendation | Should -Not -Match '-Enforce '
        $r.EnforceRecommendation | Should -Match 'Get-OutlookQrBlockImpact'
        @($w | Where-Object { "$_" -match 'Get-OutlookQrBlockImpact' }).Count | Should -BeGreaterThan 0
    }

    It 'adds nothing when the state is not report-only' {
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'NotBlocked'
        $r.ReportOnlyImpact | Should -BeNullOrEmpty
        $r.EnforceRecommendation | Should -BeNullOrEmpty
        @(Get-TenantRequest $Tenant 'GraphSignIns').Count | Should -Be 0
    }
}

Describe 'Get-OutlookQrGuardReport with a report-only block' {
    BeforeAll { Reset-Tenant }

    It 'has the section and the -Enforce advice with its numbers' {
        $id = New-AgedBlock
        $truth = @(Get-TenantBlockImpact $Tenant -PolicyId $id)
        $path = Join-Path $TestDrive 'audit.json'
        $null = Get-OutlookQrGuardReport -Format Json -Path $path -Force
        $json = Get-Content -Raw $path | ConvertFrom-Json
        $json.blockImpact.signins | Should -Be ($truth | Measure-Object SignIns -Sum).Sum
        $enforce = @($json.recommendations | Where-Object { $_ -match '-Enforce' })
        $enforce.Count | Should -Be 1
        $enforce[0] | Should -Match ('{0} sign-in\(s\)' -f $json.blockImpact.signins)
        $html = Join-Path $TestDrive 'audit.html'
        $null = Get-OutlookQrGuardReport -Format Html -Path $html -Force
        Get-Content -Raw $html | Should -Match 'What enforcing the block would break'
    }
}
