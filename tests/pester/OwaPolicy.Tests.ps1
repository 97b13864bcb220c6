# The third, semi-documented layer: AccountTransferEnabled on every OWA mailbox policy, in
# Test-OutlookQrSignin and behind Disable-/Enable-OutlookQrSignin -IncludeOwaAccountTransfer.
# Seeded (tenant-emulator README): OwaMailboxPolicy-Default (on), Executives (on), Contractors
# (off); mailbox i (0-based) by i mod 20: 3 Executives, 7 and 13 Contractors, the rest the
# default. With 10 users: Default 8, Executives 1, Contractors 1.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 10 -Devices 10
    $null = Connect-TestTenant $Tenant

    function script:Connect-TenantApp([string] $Name) {
        $endpoint = Get-TenantEndpoint $Tenant
        $credential = $Tenant.Credentials.$Name
        $credential | Should -Not -BeNullOrEmpty -Because "the emulator seeds $Name"
        $secret = ConvertTo-SecureString $credential.clientSecret -AsPlainText -Force
        Connect-OutlookQrGuard -Organization $Tenant.Credentials.tenantDomain -AppId $credential.clientId -ClientSecret $secret @endpoint
    }

    function script:Get-OwaChange { @((Get-TenantJournal $Tenant).owaMailboxPolicyChanges) }
    function script:Get-OwaCmdlet { @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet -Like '*-OwaMailboxPolicy' | ForEach-Object cmdlet) }
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'Test-OutlookQrSignin: the OWA mailbox policy layer' {
    It 'shows every seeded policy with its switch and mailbox count, labelled semi-documented' {
        $r = Test-OutlookQrSignin
        $r.OwaAccountTransferState | Should -Be 'On'
        $rows = @($r.OwaMailboxPolicies)
        $rows.Count | Should -Be 3
        $byName = @{}; foreach ($p in $rows) { $byName[$p.Name] = $p }
        $byName['OwaMailboxPolicy-Default'].Mailboxes | Should -Be 8
        $byName['OwaMailboxPolicy-Default'].IsDefault | Should -BeTrue
        $byName['OwaMailboxPolicy-Default'].AccountTransferEnabled | Should -BeTrue
        $byName['Executives'].Mailboxes | Should -Be 1
        $byName['Contractors'].Mailboxes | Should -Be 1
        $byName['Contractors'].AccountTransferEnabled | Should -BeFalse
        $r.OwaAccountTransferDocumentation | Should -Match 'reserved for internal Microsoft use'
        $r.OwaAccountTransferReason | Should -Match "'Executives' \(1 mailboxes\)"
        $r.OwaAccountTransferCode | Should -BeNullOrEmpty
        # The default view shows the layer.
        ($r | Out-String -Width 400) | Should -Match 'OwaAccountTransfer\s*: On \(semi-documented\)'
    }

    It 'keeps the verdict and -Quiet from the documented layers and adds the OWA layer as a finding' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $r = Test-OutlookQrSignin
        $r.Verdict | Should -Be 'PromptHidden'
        $r.Exposed | Should -BeFalse
        $r.OwaAccountTransferState | Should -Be 'On'
        $r.Reason | Should -Match 'Additional finding \(semi-documented layer, not part of the verdict\): AccountTransferEnabled is True on 2 of 3 OWA mailbox policies \(9 mailboxes\)'
        $r.Reason | Should -Match '-IncludeOwaAccountTransfer'
        Test-OutlookQrSignin -Quiet | Should -BeExactly $false
        Enable-OutlookQrSignin -Confirm:$false
    }

    It '-Quiet does not read the OWA layer (no mailbox scan for a yes/no answer)' {
        Reset-TenantJournal $Tenant
        Test-OutlookQrSignin -Quiet | Should -BeExactly $true
        $cmdlets = @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet | ForEach-Object cmdlet)
        $cmdlets | Should -Contain 'Get-OrganizationConfig'
        $cmdlets | Should -Not -Contain 'Get-CASMailbox'
        $cmdlets | Should -Not -Contain 'Get-OwaMailboxPolicy'
    }
}

Describe 'Disable-/Enable-OutlookQrSignin -IncludeOwaAccountTransfer' {
    BeforeEach { Reset-TenantJournal $Tenant }

    It 'never touches the OWA mailbox policies without the switch' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        Enable-OutlookQrSignin -Confirm:$false
        @(Get-OwaChange).Count | Should -Be 0
        @(Get-OwaCmdlet).Count | Should -Be 0
    }

    It '-WhatIf writes nothing and returns nothing' {
        $out = Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WhatIf -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        @(Get-OwaChange).Count | Should -Be 0
        @(Get-OwaCmdlet) | Should -Not -Contain 'Set-OwaMailboxPolicy'
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 0
    }

    It '-WhatIf names each policy it would set, and the warning comes in the UI language' {
        $run = Invoke-TenantChildScript $Tenant 'Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WhatIf'
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'What if: .*AccountTransferEnabled to False \(now True\).*on target "Executives"'
        $run.Text | Should -Match 'on target "OwaMailboxPolicy-Default"'
        $run.Text | Should -Not -Match 'on target "Contractors"'
        $ja = Invoke-TenantChildScript $Tenant 'Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WhatIf' -UICulture 'ja-JP'
        $ja.Text | Should -Match 'AccountTransferEnabled は半ば文書化された設定です'
        @(Get-OwaChange).Count | Should -Be 0
    }

    It 'is High impact for the policies: unanswerable confirmation sets the prompt but no policy' {
        # A runspace with no host cannot answer a confirmation: Disable (Medium) hides the prompt
        # at the default $ConfirmPreference, the OWA policies (High) are not written.
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WarningAction SilentlyContinue -Session `$args[0]").AddArgument((Connect-TestTenant $Tenant))
        try { $null = $ps.Invoke() } catch { }
        $ps.Dispose()
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 1
        @(Get-OwaChange).Count | Should -Be 0
        Enable-OutlookQrSignin -Confirm:$false
    }

    It 'sets every policy that differs, warns that it is semi-documented, and returns one row per policy' {
        $rows = @(Disable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 3
        $rows[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.OwaPolicyChange'
        ($w -join ' ') | Should -Match 'semi-documented'
        ($w -join ' ') | Should -Match 'reserved for internal Microsoft use'
        $byName = @{}; foreach ($p in $rows) { $byName[$p.Policy] = $p }
        $byName['Executives'].Status | Should -Be 'Changed'
        $byName['Executives'].PreviousValue | Should -BeTrue
        $byName['Executives'].AccountTransferEnabled | Should -BeFalse
        $byName['OwaMailboxPolicy-Default'].Changed | Should -BeTrue
        $byName['Contractors'].Status | Should -Be 'AlreadySet'
        $changes = @(Get-OwaChange)
        $changes.Count | Should -Be 2
        ($changes.policy | Sort-Object) -join ',' | Should -Be 'Executives,OwaMailboxPolicy-Default'
        $changes | ForEach-Object { $_.property | Should -Be 'AccountTransferEnabled'; $_.new | Should -BeFalse }
        (Test-OutlookQrSignin).OwaAccountTransferState | Should -Be 'Off'
    }

    It 'a second run writes nothing and reports every policy AlreadySet' {
        $rows = @(Disable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false -Verbose -WarningAction SilentlyContinue 4>&1)
        $verbose = @($rows | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $objects = @($rows | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $objects.Count | Should -Be 3
        $objects | ForEach-Object { $_.Status | Should -Be 'AlreadySet' }
        ($verbose.Message -join ' ') | Should -Match "AccountTransferEnabled is already False on OWA mailbox policy 'Executives'"
        @(Get-OwaChange).Count | Should -Be 0
        @(Get-OwaCmdlet) | Should -Not -Contain 'Set-OwaMailboxPolicy'
    }

    It 'Enable puts the switch back on every policy' {
        $rows = @(Enable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 3
        $rows | ForEach-Object { $_.AccountTransferEnabled | Should -BeTrue; $_.Status | Should -Be 'Changed' }
        @(Get-OwaChange).Count | Should -Be 3
        (Test-OutlookQrSignin).OwaMailboxPolicies | ForEach-Object { $_.AccountTransferEnabled | Should -BeTrue }
    }
}

Describe 'An OWA layer the app cannot read or write' {
    AfterAll { $null = Connect-TestTenant $Tenant }

    It 'is Unknown with the reason while the prompt still answers' {
        # Organization Configuration only: Exchange hides Get-CASMailbox from it.
        $null = Connect-TenantApp 'exchangeConfigOnlyApp'
        $r = Test-OutlookQrSignin -WarningAction SilentlyContinue
        $r.MobileAppEducationEnabled | Should -BeTrue
        $r.Verdict | Should -Be 'Exposed'
        $r.OwaAccountTransferState | Should -Be 'Unknown'
        $r.OwaAccountTransferCode | Should -Be 'CommandNotFoundException'
        $r.OwaAccountTransferReason | Should -Match "Get-CASMailbox"
        $r.OwaAccountTransferReason | Should -Match 'Get-ManagementRole -Cmdlet'
        @($r.OwaMailboxPolicies).Count | Should -Be 0
        $r.Reason | Should -Match 'see OwaAccountTransferReason'
    }

    It 'a refused write names the policy and the others are still tried' {
        # Organization Configuration + Mail Recipients: reads work, Set-OwaMailboxPolicy is hidden.
        $null = Connect-TenantApp 'exchangeRbacApp'
        Reset-TenantJournal $Tenant
        $rows = @(Disable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 0
        $e.Count | Should -Be 3
        ($e.TargetObject | Sort-Object) -join ',' | Should -Be 'Contractors,Executives,OwaMailboxPolicy-Default'
        ($e[0].Exception.Message) | Should -Match "Set-OwaMailboxPolicy' is not recognized"
        @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet -EQ 'Set-OwaMailboxPolicy').Count | Should -Be 3
        @(Get-OwaChange).Count | Should -Be 0
        # The prompt half still ran.
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 1
    }
}
