# The default session belongs to a runspace, session ids never repeat, and the engine outlives
# Remove-Module (#14 items 5 and 6). Each case failed before: the default was process-wide, the
# engine was disposed on removal and its ids restarted at 1.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 20 -Devices 60
    $script:Harness = Join-Path $PSScriptRoot 'TestTenant.psm1'

    function script:Get-SessionId($Session) {
        $Session.GetType().GetProperty('Id', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($Session)
    }
}
AfterAll { Stop-TestTenant $Tenant }

Describe 'The default session is per runspace' {
    It 'is not handed to a parallel runspace that never connected' {
        $null = Connect-TestTenant $Tenant
        $answers = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:env:OQG_MODULE_PATH
            try { $null = Test-OutlookQrSignin -ErrorAction Stop; 'used another runspace''s session' }
            catch { $_.FullyQualifiedErrorId }
        }
        $answers | Should -HaveCount 2
        $answers | ForEach-Object { $_ | Should -BeLike 'OutlookQrGuard.NotConnected*' }
    }

    It 'keeps each runspace on the session it connected, whatever the others connect or disconnect' {
        $sync = [hashtable]::Synchronized(@{})
        $results = 'A', 'B' | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:env:OQG_MODULE_PATH
            Import-Module $using:Harness
            $sync = $using:sync
            $wait = { param($key) $deadline = [DateTime]::UtcNow.AddSeconds(60); while (-not $sync[$key]) { if ([DateTime]::UtcNow -gt $deadline) { throw "timed out waiting for $key" }; Start-Sleep -Milliseconds 20 } }
            if ($_ -eq 'A') {
                $mine = Connect-TestTenant $using:Tenant -App secretApp
                $sync.AConnected = $true
                & $wait 'BDone'
                # B connected after A and then disconnected its own default: A's stays.
                $check = Test-OutlookQrSignin -ErrorAction Stop
                [pscustomobject]@{ Runspace = 'A'; AppId = $mine.AppId; Checked = [bool]$check.Organization; StillConnected = $mine.IsConnected }
            }
            else {
                & $wait 'AConnected'
                $mine = Connect-TestTenant $using:Tenant -App exchangeOnlyApp
                Disconnect-OutlookQrGuard
                $sync.BDone = $true
                [pscustomobject]@{ Runspace = 'B'; AppId = $mine.AppId; Checked = $false; StillConnected = $mine.IsConnected }
            }
        }
        $a = $results | Where-Object Runspace -EQ 'A'
        $b = $results | Where-Object Runspace -EQ 'B'
        $a.Checked | Should -BeTrue
        $a.StillConnected | Should -BeTrue
        $a.AppId | Should -Be $Tenant.Credentials.secretApp.clientId
        $b.StillConnected | Should -BeFalse
    }
}

Describe 'Engine lifetime and session ids' {
    It 'finishes a call running in another runspace while the module is removed here' {
        $null = Connect-TestTenant $Tenant
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'ExchangeInvokeCommand'; fault = @{ Latency = 1500 }; everyNth = 1 })
        try {
            $path = Join-Path ([IO.Path]::GetTempPath()) "oqg-lifetime-$PID.csv"
            $job = Start-ThreadJob -ArgumentList $env:OQG_MODULE_PATH, $Harness, $Tenant, $path -ScriptBlock {
                param($module, $harness, $tenant, $path)
                Import-Module $module
                Import-Module $harness
                $null = Connect-TestTenant $tenant
                Export-OutlookMobileDevice -Path $path -Force -Quiet -PassThru
            }
            # Let the export reach the service, then remove the module from this runspace.
            Start-Sleep -Milliseconds 800
            Remove-Module OutlookQrGuard
            $file = $job | Wait-Job -Timeout 120 | Receive-Job -ErrorAction Stop
            $job.State | Should -Be 'Completed'
            $file.FullName | Should -Be $path
            (Get-Content -LiteralPath $path).Count | Should -BeGreaterThan 1
        }
        finally {
            Clear-TenantFault $Tenant
            Import-Module $env:OQG_MODULE_PATH -Force
            Remove-Item -Force -ErrorAction SilentlyContinue $path
        }
    }

    It 'closes the sessions of this runspace on Remove-Module, and a kept session never names a new one' {
        $old = Connect-TestTenant $Tenant
        $oldId = Get-SessionId $old
        Remove-Module OutlookQrGuard
        Import-Module $env:OQG_MODULE_PATH -Force
        $old.IsConnected | Should -BeFalse
        { Test-OutlookQrSignin } | Should -Throw -ErrorId 'OutlookQrGuard.NotConnected*'
        $new = Connect-TestTenant $Tenant -App exchangeOnlyApp
        Get-SessionId $new | Should -BeGreaterThan $oldId
        { Test-OutlookQrSignin -Session $old -ErrorAction Stop } | Should -Throw
    }
}
