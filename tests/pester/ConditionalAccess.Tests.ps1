# Test-OutlookQrSignin's Conditional Access half, and Block-/Unblock-OutlookAuthenticationTransfer,
# against the tenant emulator. What was written is read back from the emulator (its stored policies
# and its journal of Conditional Access writes), never taken from the cmdlets' own answers.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 30 -Devices 60 -Seed 8
    $script:Session = Connect-TestTenant $Tenant
    $script:OwnName = 'OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)'
    $script:PolicyPath = '/v1.0/identity/conditionalAccess/policies'
    $script:Mailboxes = @(Get-TenantSeededMailbox $Tenant)
    $script:Groups = @(Get-TenantGroup $Tenant)
    $script:SeededPolicies = @(Get-TenantCaPolicy $Tenant)
    $script:BreakGlass = $Mailboxes[0]
    $script:Other = $Mailboxes[1]
    $script:BreakGlassGroup = $Groups | Where-Object displayName -EQ 'Break Glass Accounts' | Select-Object -First 1

    function script:Get-OwnPolicy { @(Get-TenantCaPolicy $Tenant | Where-Object displayName -EQ $OwnName) }
    function script:Get-CaWrite { @(Get-TenantCaWrite $Tenant) }
    function script:Get-Failure([scriptblock] $Script) { try { & $Script; $null } catch { $_ } }
    # Policies other than the module's, as JSON, to show they were left exactly as they were.
    function script:Get-ForeignPolicyJson { @(Get-TenantCaPolicy $Tenant | Where-Object displayName -NE $OwnName | Sort-Object id | ForEach-Object { $_ | ConvertTo-Json -Depth 20 -Compress }) }
    # The request a -WhatIf run printed: method, path and body (the JSON after the path line).
    function script:Get-WhatIfRequest([string] $Text) {
        $m = [regex]::Match($Text, '(?s)What if: .*?\b(POST|PATCH|DELETE) (/v1\.0/\S+)[ \t]*\r?\n?(\{.*\})?')
        if (-not $m.Success) { throw "No request in the -WhatIf output:`n$Text" }
        [pscustomobject]@{ Method = $m.Groups[1].Value; Path = $m.Groups[2].Value; Body = $m.Groups[3].Value }
    }
    # Compares a body as printed with a body as the journal recorded it (text or parsed JSON).
    function script:ConvertTo-CanonicalJson($Body) {
        $value = if ($Body -is [string]) { $Body | ConvertFrom-Json } else { $Body }
        $value | ConvertTo-Json -Depth 20 -Compress
    }
    function script:Reset-Tenant {
        Reset-TenantFault $Tenant
        Set-TenantSetting $Tenant -Premium $true
        Reset-TenantCaPolicy $Tenant
        Enable-OutlookQrSignin -Confirm:$false
        Reset-TenantJournal $Tenant
    }
}
AfterAll {
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'The seeded tenant' {
    It 'has unrelated Conditional Access policies, none blocking authentication transfer, and the groups the tests name' {
        $SeededPolicies.Count | Should -BeGreaterThan 2
        @($SeededPolicies | Where-Object { "$($_.conditions.authenticationFlows.transferMethods)" -match 'authenticationTransfer' }).Count | Should -Be 0
        $BreakGlassGroup | Should -Not -BeNullOrEmpty
        @($Groups | Where-Object displayName -EQ 'Duplicate Name').Count | Should -Be 2
        @($Groups | Where-Object displayName -EQ '営業部').Count | Should -Be 1
    }
}

Describe 'Test-OutlookQrSignin: both layers' {
    BeforeEach { Reset-Tenant }

    It 'Exposed: the prompt is shown and no policy blocks authentication transfer' {
        $r = Test-OutlookQrSignin
        $r.MobileAppEducationEnabled | Should -BeTrue
        $r.ConditionalAccessState | Should -Be 'NotBlocked'
        @($r.TransferBlockPolicies).Count | Should -Be 0
        $r.Verdict | Should -Be 'Exposed'
        $r.Exposed | Should -BeTrue
        Test-OutlookQrSignin -Quiet | Should -BeExactly $true
    }

    It 'PromptHidden: the prompt is hidden and Conditional Access does not block the flow' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $r = Test-OutlookQrSignin
        $r.MobileAppEducationEnabled | Should -BeFalse
        $r.ConditionalAccessState | Should -Be 'NotBlocked'
        $r.Verdict | Should -Be 'PromptHidden'
        $r.Reason | Should -Match 'Block-OutlookAuthenticationTransfer'
        Test-OutlookQrSignin -Quiet | Should -BeExactly $false
    }

    It 'PromptHidden also with a report-only policy (which blocks nobody), and the policy is still listed' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $null = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'ReportOnly'
        $r.Verdict | Should -Be 'PromptHidden'
        @($r.TransferBlockPolicies).Count | Should -Be 1
    }

    It 'ReportOnly: the module''s report-only policy is named, with its state' {
        $null = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'ReportOnly'
        $r.Verdict | Should -Be 'ReportOnly'
        $p = @($r.TransferBlockPolicies)
        $p.Count | Should -Be 1
        $p[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.TransferBlockPolicy'
        $p[0].DisplayName | Should -Be $OwnName
        $p[0].State | Should -Be 'enabledForReportingButNotEnforced'
        $p[0].CreatedByModule | Should -BeTrue
        $p[0].Id | Should -Be (Get-OwnPolicy)[0].id
        Test-OutlookQrSignin -Quiet | Should -BeExactly $true -Because 'a report-only policy blocks nobody'
    }

    It 'Blocked: an enforced policy for all users and apps, no exclusions' {
        $null = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'Blocked'
        $r.Verdict | Should -Be 'Blocked'
        $p = @($r.TransferBlockPolicies)[0]
        $p.State | Should -Be 'enabled'
        $p.AllUsers | Should -BeTrue
        $p.AllApplications | Should -BeTrue
        $p.AllClientAppTypes | Should -BeTrue
        @($p.Exclusions).Count | Should -Be 0
        @($r.Exclusions).Count | Should -Be 0
        $r.Exposed | Should -BeFalse
        Test-OutlookQrSignin -Quiet | Should -BeExactly $false
    }

    It 'BlockedWithExclusions: every excluded user and group is named' {
        $null = Block-OutlookAuthenticationTransfer -Enforce -ExcludeUser $BreakGlass.UserPrincipalName -ExcludeGroup 'Break Glass Accounts' -Confirm:$false
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'BlockedWithExclusions'
        $r.Verdict | Should -Be 'BlockedWithExclusions'
        $p = @($r.TransferBlockPolicies)[0]
        @($p.ExcludedUsers).Count | Should -Be 1
        $p.ExcludedUsers[0].Id | Should -Be $BreakGlass.ExternalDirectoryObjectId
        $p.ExcludedUsers[0].Kind | Should -Be 'User'
        $p.ExcludedUsers[0].DisplayName | Should -Be $BreakGlass.DisplayName
        $p.ExcludedGroups[0].Id | Should -Be $BreakGlassGroup.id
        $p.ExcludedGroups[0].DisplayName | Should -Be 'Break Glass Accounts'
        ($r.Exclusions -join "`n") | Should -Match ([regex]::Escape($BreakGlass.DisplayName))
        ($r.Exclusions -join "`n") | Should -Match 'Break Glass Accounts'
        ($r | Out-String) | Should -Match 'Break Glass Accounts' -Because 'the default view names the exclusions'
        Test-OutlookQrSignin -Quiet | Should -BeExactly $true -Because 'the excluded accounts can still use the QR code'
    }

    It 'BlockedWithExclusions: a hand-made policy that excludes a directory role names the role' {
        $roleId = '62e90394-69f5-4237-9190-012177145e10'  # Global Administrator's template id
        $null = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -DisplayName 'Block transfer except admins' -ExcludeRoles $roleId)
        $r = Test-OutlookQrSignin
        $r.Verdict | Should -Be 'BlockedWithExclusions'
        $p = @($r.TransferBlockPolicies)[0]
        $p.CreatedByModule | Should -BeFalse
        $p.ExcludedRoles[0].Id | Should -Be $roleId
        $p.ExcludedRoles[0].Kind | Should -Be 'Role'
    }

    It 'Blocked by a policy someone else made (equivalent, not the module''s)' {
        $foreign = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody)
        $r = Test-OutlookQrSignin
        $r.Verdict | Should -Be 'Blocked'
        $p = @($r.TransferBlockPolicies)
        $p.Count | Should -Be 1
        $p[0].Id | Should -Be $foreign.id
        $p[0].CreatedByModule | Should -BeFalse
    }

    It 'a disabled blocking policy does not block' {
        $null = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -State disabled)
        $r = Test-OutlookQrSignin
        $r.Verdict | Should -Be 'Exposed'
        $r.ConditionalAccessState | Should -Be 'NotBlocked'
    }

    It 'CA Unknown without Policy.Read.All: the Exchange half still answers, the reason says what to grant' {
        $s = Connect-TestTenant $Tenant -App exchangeOnlyApp
        try {
            $r = Test-OutlookQrSignin -Session $s -ErrorAction Stop -WarningVariable w -WarningAction SilentlyContinue
            $r.MobileAppEducationEnabled | Should -BeTrue
            $r.Organization | Should -Not -BeNullOrEmpty
            $r.ConditionalAccessState | Should -Be 'Unknown'
            $r.ConditionalAccessReason | Should -Match 'Policy\.Read\.All'
            $r.ConditionalAccessCode | Should -Not -BeNullOrEmpty
            # The verdict rests on the half that answered; the reason points at the other.
            $r.Verdict | Should -Be 'Exposed'
            $r.Reason | Should -Match 'ConditionalAccessReason'
            ($w -join ' ') | Should -Match 'Policy\.Read\.All'
            Test-OutlookQrSignin -Session $s -Quiet -WarningAction SilentlyContinue | Should -BeExactly $true
        }
        finally { Disconnect-OutlookQrGuard -Session $s; $script:Session = Connect-TestTenant $Tenant }  # the main session current again
    }

    It 'CA Unknown without Entra ID P1: the Exchange half still answers, the reason names the licence' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        Set-TenantSetting $Tenant -Premium $false
        $r = Test-OutlookQrSignin -ErrorAction Stop -WarningAction SilentlyContinue
        $r.MobileAppEducationEnabled | Should -BeFalse
        $r.ConditionalAccessState | Should -Be 'Unknown'
        $r.ConditionalAccessReason | Should -Match 'P1'
        $r.ConditionalAccessCode | Should -Not -BeNullOrEmpty
        $r.Verdict | Should -Be 'PromptHidden'
        $r.Reason | Should -Match 'ConditionalAccessReason'
    }
}

Describe 'Block-OutlookAuthenticationTransfer: create, idempotent, enforce' {
    BeforeEach { Reset-Tenant }

    It 'creates one report-only policy for all users, apps and client types that blocks authentication transfer, and touches nothing else' {
        $before = Get-ForeignPolicyJson
        $r = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r.PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.PolicyChangeResult'
        $r.Action | Should -Be 'Create'
        $r.Changed | Should -BeTrue
        $r.State | Should -Be 'enabledForReportingButNotEnforced'
        $own = Get-OwnPolicy
        $own.Count | Should -Be 1
        $r.PolicyId | Should -Be $own[0].id
        $p = $own[0]
        $p.state | Should -Be 'enabledForReportingButNotEnforced'
        @($p.conditions.users.includeUsers) | Should -Be @('All')
        @($p.conditions.applications.includeApplications) | Should -Be @('All')
        ($p.conditions.authenticationFlows.transferMethods -split ',') | Should -Contain 'authenticationTransfer'
        @($p.grantControls.builtInControls) | Should -Contain 'block'
        $writes = Get-CaWrite
        $writes.Count | Should -Be 1
        $writes[0].method | Should -Be 'POST'
        Get-ForeignPolicyJson | Should -Be $before
    }

    It 'a second run changes nothing, writes nothing and asks nothing (Action None with the reason)' {
        $null = Block-OutlookAuthenticationTransfer -Confirm:$false
        Reset-TenantJournal $Tenant
        $policyBefore = Get-OwnPolicy | ConvertTo-Json -Depth 20 -Compress
        # No -Confirm:$false, in a runspace that cannot answer a prompt: None must not ask.
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Block-OutlookAuthenticationTransfer -Session `$args[0]").AddArgument($Session)
        $out = @($ps.Invoke())
        $ps.HadErrors | Should -BeFalse
        $ps.Dispose()
        $out.Count | Should -Be 1
        $out[0].Action | Should -Be 'None'
        $out[0].Changed | Should -BeFalse
        $out[0].Reason | Should -Not -BeNullOrEmpty
        $out[0].PolicyId | Should -Be (Get-OwnPolicy)[0].id
        (Get-CaWrite).Count | Should -Be 0
        Get-OwnPolicy | ConvertTo-Json -Depth 20 -Compress | Should -Be $policyBefore
    }

    It '-Enforce switches the report-only policy to enabled with one PATCH of that policy' {
        $created = Block-OutlookAuthenticationTransfer -Confirm:$false
        Reset-TenantJournal $Tenant
        $r = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $r.Action | Should -Be 'Update'
        $r.Changed | Should -BeTrue
        $r.State | Should -Be 'enabled'
        $r.PolicyId | Should -Be $created.PolicyId
        $own = Get-OwnPolicy
        $own.Count | Should -Be 1
        $own[0].state | Should -Be 'enabled'
        $writes = Get-CaWrite
        $writes.Count | Should -Be 1
        $writes[0].method | Should -Be 'PATCH'
        $writes[0].policyId | Should -Be $created.PolicyId
    }

    It 'without -Enforce an enforced policy is not downgraded' {
        $null = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        Reset-TenantJournal $Tenant
        $r = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r.Action | Should -Be 'None'
        $r.State | Should -Be 'enabled'
        (Get-OwnPolicy)[0].state | Should -Be 'enabled'
        (Get-CaWrite).Count | Should -Be 0
    }

    It '-Enforce on a tenant without a policy creates it enabled' {
        $r = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $r.Action | Should -Be 'Create'
        (Get-OwnPolicy)[0].state | Should -Be 'enabled'
    }

    It 'resolves -ExcludeUser and -ExcludeGroup (name, id, Japanese name) to object ids; a later run replaces them only when given' {
        $sales = $Groups | Where-Object displayName -EQ '営業部'
        $r = Block-OutlookAuthenticationTransfer -ExcludeUser $BreakGlass.UserPrincipalName -ExcludeGroup 'Break Glass Accounts', '営業部' -Confirm:$false
        $r.Action | Should -Be 'Create'
        @($r.ExcludedUsers.Id) | Should -Be @($BreakGlass.ExternalDirectoryObjectId)
        @($r.ExcludedGroups.Id | Sort-Object) | Should -Be @(@($BreakGlassGroup.id, $sales.id) | Sort-Object)
        $p = (Get-OwnPolicy)[0]
        @($p.conditions.users.excludeUsers) | Should -Be @($BreakGlass.ExternalDirectoryObjectId)
        @($p.conditions.users.excludeGroups | Sort-Object) | Should -Be @(@($BreakGlassGroup.id, $sales.id) | Sort-Object)

        $r = Block-OutlookAuthenticationTransfer -ExcludeUser $Other.ExternalDirectoryObjectId -Confirm:$false
        $r.Action | Should -Be 'Update'
        @((Get-OwnPolicy)[0].conditions.users.excludeUsers) | Should -Be @($Other.ExternalDirectoryObjectId)

        Reset-TenantJournal $Tenant
        $r = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r.Action | Should -Be 'None'
        @((Get-OwnPolicy)[0].conditions.users.excludeUsers) | Should -Be @($Other.ExternalDirectoryObjectId)
        (Get-CaWrite).Count | Should -Be 0
    }

    It 'an equivalent policy someone else made already blocks: Action None naming it, nothing written' {
        $foreign = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -DisplayName 'Contoso: no QR sign-in')
        Reset-TenantJournal $Tenant
        $r = Block-OutlookAuthenticationTransfer -Confirm:$false
        $r.Action | Should -Be 'None'
        $r.Reason | Should -Match 'Contoso: no QR sign-in'
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 0
        (Get-TenantCaPolicy $Tenant | Where-Object id -EQ $foreign.id).state | Should -Be 'enabled'
    }

    It '-Enforce with only a report-only equivalent policy creates the module''s enforced one' {
        $null = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -DisplayName 'Trial block' -State enabledForReportingButNotEnforced)
        $r = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $r.Action | Should -Be 'Create'
        (Get-OwnPolicy)[0].state | Should -Be 'enabled'
        (Get-TenantCaPolicy $Tenant | Where-Object displayName -EQ 'Trial block').state | Should -Be 'enabledForReportingButNotEnforced'
    }

    It 'is high impact: in a runspace that cannot confirm, nothing is written' {
        (Get-Command Block-OutlookAuthenticationTransfer).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        (Get-Command Unblock-OutlookAuthenticationTransfer).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Block-OutlookAuthenticationTransfer -Session `$args[0]").AddArgument($Session)
        try { $null = $ps.Invoke() } catch { }
        $ps.Dispose()
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 0
    }
}

Describe 'Block-/Unblock-OutlookAuthenticationTransfer -WhatIf' {
    BeforeEach { Reset-Tenant }

    It 'Block -WhatIf shows POST, the path and the exact body the real run then sends, and writes nothing' {
        $run = Invoke-TenantChildScript $Tenant "Block-OutlookAuthenticationTransfer -ExcludeUser '$($BreakGlass.UserPrincipalName)' -ExcludeGroup 'Break Glass Accounts' -WhatIf"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $shown = Get-WhatIfRequest $run.Text
        $shown.Method | Should -Be 'POST'
        $shown.Path | Should -Be $PolicyPath
        $body = $shown.Body | ConvertFrom-Json
        $body.displayName | Should -Be $OwnName
        $body.state | Should -Be 'enabledForReportingButNotEnforced'
        @($body.conditions.users.excludeUsers) | Should -Be @($BreakGlass.ExternalDirectoryObjectId)
        @($body.conditions.users.excludeGroups) | Should -Be @($BreakGlassGroup.id)
        $run.Text | Should -Match 'report|enabledForReportingButNotEnforced'
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 0

        $null = Block-OutlookAuthenticationTransfer -ExcludeUser $BreakGlass.UserPrincipalName -ExcludeGroup 'Break Glass Accounts' -Confirm:$false
        $sent = Get-CaWrite
        $sent.Count | Should -Be 1
        ConvertTo-CanonicalJson $sent[0].body | Should -BeExactly (ConvertTo-CanonicalJson $shown.Body)
    }

    It 'Block -Enforce -WhatIf on the report-only policy shows the PATCH of that policy' {
        $created = Block-OutlookAuthenticationTransfer -Confirm:$false
        Reset-TenantJournal $Tenant
        $run = Invoke-TenantChildScript $Tenant 'Block-OutlookAuthenticationTransfer -Enforce -WhatIf'
        $shown = Get-WhatIfRequest $run.Text
        $shown.Method | Should -Be 'PATCH'
        $shown.Path | Should -Be "$PolicyPath/$($created.PolicyId)"
        ($shown.Body | ConvertFrom-Json).state | Should -Be 'enabled'
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy)[0].state | Should -Be 'enabledForReportingButNotEnforced'
    }

    It 'Unblock -WhatIf shows the DELETE of the module''s policy and deletes nothing' {
        $created = Block-OutlookAuthenticationTransfer -Confirm:$false
        Reset-TenantJournal $Tenant
        $run = Invoke-TenantChildScript $Tenant 'Unblock-OutlookAuthenticationTransfer -WhatIf'
        $shown = Get-WhatIfRequest $run.Text
        $shown.Method | Should -Be 'DELETE'
        $shown.Path | Should -Be "$PolicyPath/$($created.PolicyId)"
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 1
    }

    It 'says what it would do in Japanese under a ja-JP UI culture, with the same request' {
        $run = Invoke-TenantChildScript $Tenant 'Block-OutlookAuthenticationTransfer -WhatIf' -UICulture ja-JP
        $run.Text | Should -Match "条件付きアクセス ポリシー '.*' を状態 enabledForReportingButNotEnforced で .* に作成します"
        (Get-WhatIfRequest $run.Text).Method | Should -Be 'POST'
        (Get-CaWrite).Count | Should -Be 0
    }
}

Describe 'Unblock-OutlookAuthenticationTransfer' {
    BeforeEach { Reset-Tenant }

    It 'deletes only the module''s own policy; an equivalent policy someone else made stays' {
        $created = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $foreign = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -DisplayName 'Contoso: no QR sign-in')
        $before = Get-ForeignPolicyJson
        Reset-TenantJournal $Tenant
        $r = Unblock-OutlookAuthenticationTransfer -Confirm:$false
        $r.Action | Should -Be 'Delete'
        $r.Changed | Should -BeTrue
        $r.PolicyId | Should -Be $created.PolicyId
        (Get-OwnPolicy).Count | Should -Be 0
        Get-ForeignPolicyJson | Should -Be $before
        @(Get-TenantCaPolicy $Tenant | Where-Object id -EQ $foreign.id).Count | Should -Be 1
        $writes = Get-CaWrite
        $writes.Count | Should -Be 1
        $writes[0].method | Should -Be 'DELETE'
        (Test-OutlookQrSignin).Verdict | Should -Be 'Blocked' -Because 'the foreign policy still blocks'
    }

    It 'with no policy of its own it returns None with the reason, writes nothing and asks nothing' {
        $null = Add-TenantCaPolicy $Tenant (New-TransferBlockPolicyBody -DisplayName 'Contoso: no QR sign-in')
        Reset-TenantJournal $Tenant
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Unblock-OutlookAuthenticationTransfer -Session `$args[0]").AddArgument($Session)
        $out = @($ps.Invoke())
        $ps.Dispose()
        $out.Count | Should -Be 1
        $out[0].Action | Should -Be 'None'
        $out[0].Changed | Should -BeFalse
        $out[0].Reason | Should -Not -BeNullOrEmpty
        (Get-CaWrite).Count | Should -Be 0
        @(Get-TenantCaPolicy $Tenant | Where-Object displayName -EQ 'Contoso: no QR sign-in').Count | Should -Be 1
    }
}

Describe 'Conditional Access judged the way Entra ID applies it (platforms, exclusions, own policy)' {
    BeforeEach { Reset-Tenant }

    It 'an enabled block for Android only is not "already blocked": Test says NotBlocked, Block creates the module''s policy' {
        $android = New-TransferBlockPolicyBody -DisplayName 'Contoso: Android only'
        $android.conditions.platforms = @{ includePlatforms = @('android'); excludePlatforms = @() }
        $null = Add-TenantCaPolicy $Tenant $android
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'NotBlocked'
        $r.Reason | Should -Match 'Contoso: Android only'
        $b = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $b.Action | Should -Be 'Create'
        (Get-OwnPolicy).Count | Should -Be 1 -Because 'iOS would stay open otherwise'
        (Test-OutlookQrSignin).ConditionalAccessState | Should -Be 'Blocked'
    }

    It 'excluding guests or external users is an exclusion: BlockedWithExclusions, and not equivalent for Block' {
        $guests = New-TransferBlockPolicyBody -DisplayName 'Contoso: staff only'
        $guests.conditions.users.excludeGuestsOrExternalUsers = @{ guestOrExternalUserTypes = 'internalGuest,b2bCollaborationGuest'; externalTenants = $null }
        $null = Add-TenantCaPolicy $Tenant $guests
        $r = Test-OutlookQrSignin
        $r.ConditionalAccessState | Should -Be 'BlockedWithExclusions'
        $r.Reason | Should -Match 'internalGuest'
        (Block-OutlookAuthenticationTransfer -Confirm:$false).Action | Should -Be 'Create'
    }

    It 'the module''s policy narrowed by someone: Block sends explicit nulls for every narrowing condition, and the policy holds them' {
        $own = New-TransferBlockPolicyBody -DisplayName $OwnName -State enabledForReportingButNotEnforced -TransferMethods 'authenticationTransfer'
        $own.conditions.platforms = @{ includePlatforms = @('android'); excludePlatforms = @() }
        $own.conditions.signInRiskLevels = @('high')
        $added = Add-TenantCaPolicy $Tenant $own
        $r = Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false
        $r.Action | Should -Be 'Update'
        $r.PolicyId | Should -Be $added.id
        $patch = @(Get-CaWrite)[0]
        $patch.method | Should -Be 'PATCH'
        $patch.body.conditions.PSObject.Properties.Name | Should -Contain 'platforms'
        $patch.body.conditions.platforms | Should -BeNullOrEmpty
        @($patch.body.conditions.signInRiskLevels).Count | Should -Be 0
        $stored = (Get-OwnPolicy)[0]
        $stored.conditions.platforms | Should -BeNullOrEmpty
        @($stored.conditions.signInRiskLevels).Count | Should -Be 0
        $stored.state | Should -Be 'enabled'
        @(Get-TenantRequest $Tenant GraphConditionalAccess | Where-Object { $_.method -eq 'GET' -and $_.path -like "*$($added.id)" }).Count | Should -Be 1 -Because 'the update is read back'
        (Test-OutlookQrSignin).ConditionalAccessState | Should -Be 'Blocked'
    }

    It 'a policy with the module''s name and another shape: Block and Unblock stop, say why, and write nothing' {
        $other = New-TransferBlockPolicyBody -DisplayName $OwnName
        $other.grantControls.builtInControls = @('mfa')
        $added = Add-TenantCaPolicy $Tenant $other
        foreach ($run in @({ Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false -ErrorAction Stop }, { Unblock-OutlookAuthenticationTransfer -Confirm:$false -ErrorAction Stop })) {
            $e = Get-Failure $run
            $e | Should -Not -BeNullOrEmpty
            $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.AlreadyExists.OwnPolicyShapeMismatch*'
            $e.Exception.Message | Should -Match ([regex]::Escape($added.id))
            $e.Exception.Message | Should -Match 'not the module''s policy'
        }
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 1
        @((Test-OutlookQrSignin).TransferBlockPolicies | Where-Object CreatedByModule).Count | Should -Be 0
    }

    It 'a 503 to the create is not posted again blindly: one POST, the lookup, and the next run creates it' {
        # Conditional Access requests from here: 1 Block's list, 2 the create (503).
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphConditionalAccess'; fault = @{ ServerError = @{ status = 503; retryAfter = '0' } }; everyNth = 2; times = 1 })
        $e = $null
        $warned = $null
        try { $null = Block-OutlookAuthenticationTransfer -Confirm:$false -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue } catch { $e = $_ }
        $e | Should -Not -BeNullOrEmpty
        ($warned -join "`n") | Should -Match 'Run Block-OutlookAuthenticationTransfer again' -Because "the error was: $e"
        @(Get-TenantRequest $Tenant GraphConditionalAccess | Where-Object method -EQ 'POST').Count | Should -Be 1
        (Get-OwnPolicy).Count | Should -Be 0
        Reset-TenantFault $Tenant
        (Block-OutlookAuthenticationTransfer -Confirm:$false).Action | Should -Be 'Create'
        (Get-OwnPolicy).Count | Should -Be 1
    }
}

Describe 'Block-OutlookAuthenticationTransfer: refused before anything is written' {
    BeforeEach { Reset-Tenant }

    It 'an unknown user: ExclusionNotFound naming the user' {
        $unknown = 'nobody.here@' + $Tenant.Credentials.tenantDomain
        $e = Get-Failure { Block-OutlookAuthenticationTransfer -ExcludeUser $BreakGlass.UserPrincipalName, $unknown -Confirm:$false -ErrorAction Stop }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotFound.ExclusionNotFound*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match ([regex]::Escape($unknown))
        "$($e.TargetObject)" | Should -Match ([regex]::Escape($unknown))
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 0
    }

    It 'an unknown group: ExclusionNotFound naming the group' {
        $e = Get-Failure { Block-OutlookAuthenticationTransfer -ExcludeGroup 'No Such Group' -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotFound.ExclusionNotFound*'
        $e.Exception.Message | Should -Match 'No Such Group'
        (Get-CaWrite).Count | Should -Be 0
        (Get-OwnPolicy).Count | Should -Be 0
    }

    It 'a group name that matches two groups: ExclusionAmbiguous, and the existing policy is left as it was' {
        $null = Block-OutlookAuthenticationTransfer -Confirm:$false
        $before = Get-OwnPolicy | ConvertTo-Json -Depth 20 -Compress
        Reset-TenantJournal $Tenant
        $e = Get-Failure { Block-OutlookAuthenticationTransfer -Enforce -ExcludeGroup 'Duplicate Name' -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument.ExclusionAmbiguous*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'Duplicate Name'
        (Get-CaWrite).Count | Should -Be 0
        Get-OwnPolicy | ConvertTo-Json -Depth 20 -Compress | Should -Be $before
    }

    It 'a group given by one of the ambiguous ids works' {
        $one = @($Groups | Where-Object displayName -EQ 'Duplicate Name')[1]
        $r = Block-OutlookAuthenticationTransfer -ExcludeGroup $one.id -Confirm:$false
        @($r.ExcludedGroups.Id) | Should -Be @($one.id)
    }

    It 'without Policy.ReadWrite.ConditionalAccess: a permission error that names it' -Tag 'BadInput' {
        $s = Connect-TestTenant $Tenant -App policyReaderApp
        try {
            $e = Get-Failure { Block-OutlookAuthenticationTransfer -Session $s -Confirm:$false -ErrorAction Stop }
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied*'
            $e.Exception.Message | Should -Match 'Policy\.ReadWrite\.ConditionalAccess'
            (Get-OwnPolicy).Count | Should -Be 0
            # Reading still works with that app.
            (Test-OutlookQrSignin -Session $s).ConditionalAccessState | Should -Be 'NotBlocked'
        }
        finally { Disconnect-OutlookQrGuard -Session $s; $script:Session = Connect-TestTenant $Tenant }  # the main session current again
    }

    It 'without Policy.Read.All: a permission error that names it' -Tag 'BadInput' {
        $s = Connect-TestTenant $Tenant -App exchangeOnlyApp
        try {
            $e = Get-Failure { Block-OutlookAuthenticationTransfer -Session $s -Confirm:$false -ErrorAction Stop }
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.Exception.Message | Should -Match 'Policy\.Read\.All'
            (Get-CaWrite).Count | Should -Be 0
        }
        finally { Disconnect-OutlookQrGuard -Session $s; $script:Session = Connect-TestTenant $Tenant }  # the main session current again
    }

    It 'without Group.Read.All a group name cannot be resolved: the error names the permission, nothing is written' -Tag 'BadInput' {
        $s = Connect-TestTenant $Tenant -App exchangeOnlyApp
        try {
            $e = Get-Failure { Block-OutlookAuthenticationTransfer -Session $s -ExcludeGroup 'Break Glass Accounts' -Confirm:$false -ErrorAction Stop }
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.Exception.Message | Should -Match 'Group\.Read\.All'
            (Get-CaWrite).Count | Should -Be 0
        }
        finally { Disconnect-OutlookQrGuard -Session $s; $script:Session = Connect-TestTenant $Tenant }  # the main session current again
    }

    It 'a tenant without Entra ID P1: the error names the licence and what still works' {
        Set-TenantSetting $Tenant -Premium $false
        $e = Get-Failure { Block-OutlookAuthenticationTransfer -Confirm:$false -ErrorAction Stop }
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'P1'
        $e.Exception.Message | Should -Match 'Disable-OutlookQrSignin' -Because 'it says what still works without the licence'
        (Get-CaWrite).Count | Should -Be 0
        Set-TenantSetting $Tenant -Premium $true
        (Get-OwnPolicy).Count | Should -Be 0
    }
}
