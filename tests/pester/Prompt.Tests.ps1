# Test-, Disable- and Enable-OutlookQrSignin against the tenant emulator.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 10 -Devices 10
    $null = Connect-TestTenant $Tenant
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'Test-OutlookQrSignin' {
    It 'shows the organization, every MobileApp*/OutlookMobile* setting and a verdict' {
        Enable-OutlookQrSignin -Confirm:$false
        $r = Test-OutlookQrSignin
        $r.PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.SigninCheck'
        $r.MobileAppEducationEnabled | Should -BeTrue
        $r.Verdict | Should -Be 'Exposed'
        $names = $r.PSObject.Properties.Name
        $names | Should -Contain 'OutlookMobileGCCRestrictionsEnabled'
        $names | Should -Contain 'OutlookMobileSingleAccountEnabled'
        $r.Reason | Should -Match 'Disable-OutlookQrSignin'
    }

    It '-Quiet returns one boolean: $true while the prompt shows' {
        Enable-OutlookQrSignin -Confirm:$false
        Test-OutlookQrSignin -Quiet | Should -BeExactly $true
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        Test-OutlookQrSignin -Quiet | Should -BeExactly $false
    }
}

Describe 'Disable-OutlookQrSignin and Enable-OutlookQrSignin' {
    BeforeEach { Enable-OutlookQrSignin -Confirm:$false; Reset-TenantJournal $Tenant }

    It 'turns the prompt off, warns that connected phones stay connected, and returns the state with -PassThru' {
        $r = Disable-OutlookQrSignin -Confirm:$false -PassThru -WarningVariable w -WarningAction SilentlyContinue
        $r.MobileAppEducationEnabled | Should -BeFalse
        $r.PreviousValue | Should -BeTrue
        $r.Changed | Should -BeTrue
        ($w -join ' ') | Should -Match 'Revoke-OutlookMobileSignin'
        # Microsoft's admin article: "changes may take up to 8 hours to propagate"; and the enforced
        # block as the targeted remedy (protocol tracking).
        ($w -join ' ') | Should -Match 'up to 8 hours'
        ($w -join ' ') | Should -Match 'Block-OutlookAuthenticationTransfer -Enforce'
        ($w -join ' ') | Should -Match 'next token refresh'
        $changes = @((Get-TenantJournal $Tenant).organizationConfigChanges)
        $changes.Count | Should -Be 1
        $changes[0].new | Should -BeFalse
    }

    It 'writes nothing when the tenant is already in that state (idempotent)' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $r = Disable-OutlookQrSignin -Confirm:$false -PassThru -WarningAction SilentlyContinue
        $r.Changed | Should -BeFalse
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 1
    }

    It '-WhatIf changes nothing' {
        Disable-OutlookQrSignin -WhatIf
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 0
        Test-OutlookQrSignin -Quiet | Should -BeTrue
    }

    It 'Enable is high impact: it asks for confirmation by default' {
        (Get-Command Enable-OutlookQrSignin).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        Reset-TenantJournal $Tenant
        # In a non-interactive runspace a confirmation cannot be answered: nothing is written.
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Enable-OutlookQrSignin -Session `$args[0]").AddArgument((Connect-TestTenant $Tenant))
        try { $null = $ps.Invoke() } catch { }
        @((Get-TenantJournal $Tenant).organizationConfigChanges).Count | Should -Be 0
        $ps.Dispose()
    }
}

Describe 'What the texts say about protocol tracking and the 8 hours' {
    BeforeAll {
        $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    }

    It 'Test-OutlookQrSignin: a hidden prompt''s reason gives the 8 hours and the enforced block' {
        Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
        $r = Test-OutlookQrSignin
        $r.Verdict | Should -Be 'PromptHidden'
        $r.Reason | Should -Match 'up to 8 hours'
        $r.Reason | Should -Match 'next token refresh'
        Enable-OutlookQrSignin -Confirm:$false
    }

    # The help sources (ps-module/help/<culture>/<Cmdlet>.psd1) and about topics, as they ship in the MAML.
    It 'the help of Disable-OutlookQrSignin gives the 8 hours and the protocol tracking quote, in both languages' {
        $en = Import-PowerShellDataFile (Join-Path $Root 'ps-module/help/en-US/Disable-OutlookQrSignin.psd1')
        $en.Description | Should -Match 'up to 8 hours'
        $en.Description | Should -Match ([regex]::Escape('Any protocol tracked sessions are subject to policy enforcement if a policy exists'))
        $en.Description | Should -Match 'Revoke-OutlookMobileSignin'
        $ja = Import-PowerShellDataFile (Join-Path $Root 'ps-module/help/ja-JP/Disable-OutlookQrSignin.psd1')
        $ja.Description | Should -Match '最大 8 時間'
        $ja.Description | Should -Match 'プロトコル追跡'
    }

    It 'the help of Block-OutlookAuthenticationTransfer and Test-OutlookQrSignin says the block reaches connected phones' {
        foreach ($cmd in 'Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin') {
            (Import-PowerShellDataFile (Join-Path $Root "ps-module/help/en-US/$cmd.psd1")).Description | Should -Match 'next token refresh'
            (Import-PowerShellDataFile (Join-Path $Root "ps-module/help/ja-JP/$cmd.psd1")).Description | Should -Match '次回のトークン更新'
        }
    }

    It 'the about topic says it in both languages' {
        $en = (Get-Content -Raw -Encoding utf8 (Join-Path $Root 'ps-module/en-US/about_OutlookQrGuard.help.txt')) -replace '\s+', ' '
        $en | Should -Match 'is sustained through subsequent refreshes'
        $en | Should -Match 'up to 8 hours'
        $ja = Get-Content -Raw -Encoding utf8 (Join-Path $Root 'ps-module/ja-JP/about_OutlookQrGuard.help.txt')
        $ja | Should -Match 'プロトコル追跡'
        $ja | Should -Match '最大 8 時間'
    }

    It 'the README quotes Microsoft and no longer says sessions stay valid until they are revoked' {
        $readme = (Get-Content -Raw -Encoding utf8 (Join-Path $Root 'README.md')) -replace '\s+', ' '
        $readme | Should -Not -Match 'stay valid until they are revoked'
        $readme | Should -Match ([regex]::Escape('Protocol tracking state is sustained through subsequent refreshes.'))
        $readme | Should -Match ([regex]::Escape('concept-authentication-flows.md'))
        $readme | Should -Match 'up to 8 hours'
    }
}

Describe 'The OWA mailbox policy layer in the report (AccountTransferEnabled, semi-documented)' {
    It 'lists every OWA mailbox policy with its switch and mailbox count, labelled semi-documented' {
        $report = Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
        $owa = $report.owaMailboxPolicies
        $owa.state | Should -Be 'On'
        $owa.documentation | Should -Match 'reserved for internal Microsoft use'
        $names = @($owa.policies | ForEach-Object name)
        $names | Should -Contain 'OwaMailboxPolicy-Default'
        ($owa.policies | Where-Object name -EQ 'Contractors').accountTransferEnabled | Should -BeFalse
        # Every mailbox counts once: under its policy, or under the default when it names none.
        ($owa.policies | Measure-Object mailboxes -Sum).Sum | Should -Be 10
        $html = Get-OutlookQrGuardReport -Format Html | Out-String
        $html | Should -Match 'AccountTransferEnabled \(semi-documented\)'
    }
}
