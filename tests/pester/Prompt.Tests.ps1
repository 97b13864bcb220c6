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
