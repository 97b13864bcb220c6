# Many tenants in one run (#17 part 2): a CSV of tenants through Connect-OutlookQrGuard (one
# session per row, a failing row reported without stopping the others), Get-OutlookQrFleetStatus
# over six emulated tenants in mixed states, sessions and fleet rows piped on to other cmdlets,
# and the fleet page.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "oqg-fleet-$PID"
    $null = New-Item -ItemType Directory -Force $Work
    # 0 exposed, 1 prompt hidden, 2 report-only block, 3 enforced block, 4 no Entra ID P1,
    # 5 the app registrations were removed (every token request fails).
    @(
        @{}
        @{ promptEnabled = $false }
        @{ transferBlock = 'ReportOnly' }
        @{ transferBlock = 'Enforced'; promptEnabled = $false }
        @{ premium = $false }
        @{ appsRemoved = $true }
    ) | ConvertTo-Json -AsArray | Set-Content (Join-Path $Work 'tenants.json')
    $script:Tenant = Start-TestTenant -Users 20 -Devices 40 -ExtraArguments @('--tenants-file', (Join-Path $Work 'tenants.json'), '--signin-rate', '0')
    $script:Endpoint = Get-TenantEndpoint $Tenant
    $script:Password = ConvertTo-SecureString 'fleet-pfx-password' -AsPlainText -Force
    # Each tenant's certificate app, re-exported under one password (one -CertificatePassword for the list).
    $csvRows = for ($i = 0; $i -lt $Tenant.Tenants.Count; $i++) {
        $c = $Tenant.Tenants[$i]
        $row = [ordered]@{ Organization = $c.tenantDomain; AppId = $c.certificateApp.clientId; CertificateThumbprint = ''; CertificatePath = ''; ManagedIdentity = '' }
        if ($i -eq 1) {
            # Tenant 1 signs in as its Automation account's managed identity.
            $row.AppId = ''
            $row.ManagedIdentity = 'True'
        }
        else {
            $cert = [Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12([Convert]::FromBase64String($c.certificateApp.pfxBase64), $c.certificateApp.pfxPassword, 'Exportable')
            $path = Join-Path $Work "tenant$i.pfx"
            [IO.File]::WriteAllBytes($path, $cert.Export('Pkcs12', 'fleet-pfx-password'))
            $row.CertificatePath = $path
        }
        [pscustomobject]$row
    }
    $script:Csv = Join-Path $Work 'tenants.csv'
    $csvRows | Export-Csv -NoTypeInformation $Csv
    $env:IDENTITY_ENDPOINT = $Tenant.Tenants[1].managedIdentity.identityEndpoint
    $env:IDENTITY_HEADER = $Tenant.Tenants[1].managedIdentity.identityHeader
    $script:Sessions = @(Import-Csv $Csv | Connect-OutlookQrGuard @Endpoint -CertificatePassword $Password -ErrorVariable connectErrors -ErrorAction SilentlyContinue)
    $script:ConnectErrors = $connectErrors
    $script:Rows = @($Sessions | Get-OutlookQrFleetStatus -ThrottleLimit 3)
}
AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Connect-OutlookQrGuard over a CSV of tenants' {
    It 'outputs one session per good row, in row order, each on its own tenant' {
        $Sessions | Should -HaveCount 5
        $Sessions.Tenant | Should -Be @($Tenant.Tenants[0..4].tenantDomain)
        $Sessions[1].AuthenticationMethod | Should -Be 'ManagedIdentity'
        $Sessions[0].AuthenticationMethod | Should -BeLike 'Certificate*'
    }

    It 'reports the row whose credentials fail as one non-terminating error naming its tenant' {
        $ConnectErrors | Should -HaveCount 1
        $ConnectErrors[0].TargetObject | Should -Be $Tenant.Tenants[5].tenantDomain
        $ConnectErrors[0].ToString() | Should -BeLike "*$($Tenant.Tenants[5].tenantDomain)*AADSTS700016*"
    }

    It 'reads ManagedIdentity cells as switches and names the row of a bad one' {
        $bad = @(
            [pscustomobject]@{ Organization = 'one.example'; AppId = 'x'; CertificateThumbprint = ''; CertificatePath = ''; ManagedIdentity = 'maybe' }
            [pscustomobject]@{ Organization = 'two.example'; AppId = 'x'; CertificateThumbprint = ''; CertificatePath = ''; ManagedIdentity = 'False' }
            [pscustomobject]@{ Organization = 'three.example'; AppId = 'x'; CertificateThumbprint = 'AB'; CertificatePath = '/x.pfx'; ManagedIdentity = '' }
        )
        $out = $bad | Connect-OutlookQrGuard @Endpoint -ErrorVariable rowErrors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $rowErrors | Should -HaveCount 3
        $rowErrors[0].ToString() | Should -BeLike "*one.example*'maybe'*"
        # "False" is off, not a non-empty string taken as on: that row names no sign-in method.
        $rowErrors[1].ToString() | Should -BeLike '*two.example*CertificateThumbprint, CertificatePath or ManagedIdentity*'
        $rowErrors[2].ToString() | Should -BeLike '*three.example*only one*'
        $rowErrors.TargetObject | Should -Be @('one.example', 'two.example', 'three.example')
    }
}

Describe 'Get-OutlookQrFleetStatus' {
    It 'returns one row per tenant with the verdict of its state' {
        $Rows | Should -HaveCount 5
        $Rows.Tenant | Should -Be @($Tenant.Tenants[0..4].tenantDomain)
        $Rows.Verdict | Should -Be @('Exposed', 'PromptHidden', 'ReportOnly', 'Blocked', 'Exposed')
        $Rows[2].ConditionalAccess | Should -Be 'ReportOnly'
        $Rows[3].Prompt | Should -Be 'PromptHidden'
        $Rows | ForEach-Object { $_.GetType().FullName | Should -Be 'OutlookQrGuard.Model.FleetTenantStatus' }
        $Rows[0].Session | Should -Be $Sessions[0]
    }

    It 'puts what a tenant could not read in its own row and still answers the rest' {
        $unlicensed = $Rows[4]
        $unlicensed.ConditionalAccess | Should -Be 'Unknown'
        $unlicensed.EvidenceAvailable | Should -BeFalse
        $unlicensed.Errors.Count | Should -BeGreaterOrEqual 2
        ($unlicensed.Errors -join ' ') | Should -BeLike '*Sign-in logs:*'
        $Rows[0..3] | ForEach-Object { $_.Errors | Should -BeNullOrEmpty; $_.EvidenceAvailable | Should -BeTrue }
        ($Rows[0..3] | Measure-Object TransferSignins -Sum).Sum | Should -BeGreaterThan 0
    }

    It 'counts what the report-only block would have blocked, as Get-OutlookQrBlockImpact does, and only there' {
        $reportOnly = $Rows[2]
        $impact = @(Get-OutlookQrBlockImpact -Session $Sessions[2] -InformationAction SilentlyContinue)
        $impact | Should -Not -BeNullOrEmpty
        $reportOnly.WouldBeBlockedUsers | Should -Be @($impact.UserId | Sort-Object -Unique).Count
        $reportOnly.WouldBeBlockedNote | Should -BeLike '*would have blocked*-Enforce*'
        foreach ($i in 0, 1, 3) {
            $Rows[$i].WouldBeBlockedUsers | Should -BeNullOrEmpty
            $Rows[$i].WouldBeBlockedNote | Should -BeLike 'Not applicable*'
        }
        # The unlicensed tenant: Conditional Access unreadable, so it is not known.
        $Rows[4].WouldBeBlockedUsers | Should -BeNullOrEmpty
        $Rows[4].WouldBeBlockedNote | Should -BeLike 'Not computed*'
    }

    It 'refuses a ThrottleLimit outside 1..64' {
        { Get-OutlookQrFleetStatus -Session $Sessions[0] -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OutlookQrGuard.Cmdlets.GetOutlookQrFleetStatusCommand'
        { Get-OutlookQrFleetStatus -Session $Sessions[0] -ThrottleLimit 65 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OutlookQrGuard.Cmdlets.GetOutlookQrFleetStatusCommand'
    }

    It 'with ThrottleLimit 1 checks one tenant after another' {
        $one = @($Sessions | Get-OutlookQrFleetStatus -ThrottleLimit 1)
        for ($i = 1; $i -lt $one.Count; $i++) {
            $one[$i].StartedAfter | Should -BeGreaterOrEqual ($one[$i - 1].StartedAfter + $one[$i - 1].Elapsed - [TimeSpan]::FromMilliseconds(2))
        }
    }
}

Describe 'Sessions and fleet rows from the pipeline' {
    It 'runs a cmdlet once per piped session' {
        $checks = @($Sessions | Test-OutlookQrSignin)
        $checks.Verdict | Should -Be @('Exposed', 'PromptHidden', 'ReportOnly', 'Blocked', 'Exposed')
    }

    It 'lists the block impact once per piped session, as the other tenant cmdlets do' {
        $once = @(Get-OutlookQrBlockImpact -Session $Sessions[2] -InformationAction SilentlyContinue)
        $once | Should -Not -BeNullOrEmpty
        $twice = @($Sessions[2], $Sessions[2] | Get-OutlookQrBlockImpact -InformationAction SilentlyContinue)
        $twice | Should -HaveCount (2 * $once.Count)
    }

    It 'takes the session from fleet rows by property name, and a second run shows the change' {
        $Rows | Where-Object Verdict -eq 'Exposed' | Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $after = @($Sessions | Get-OutlookQrFleetStatus)
        $after[0].Prompt | Should -Be 'PromptHidden'
        $after[0].Verdict | Should -Be 'PromptHidden'
        $after[2].Prompt | Should -Be 'Exposed'
        (Get-TenantJournal (Select-TestTenant $Tenant 2)).organizationConfigChanges | Should -BeNullOrEmpty
    }

    It 'still binds piped devices to Revoke-OutlookMobileSignin, on the tenant of -Session' {
        $devices = @(Get-OutlookMobileDevice -Session $Sessions[2] | Select-Object -First 2)
        $devices | Should -HaveCount 2
        $results = @($devices | Revoke-OutlookMobileSignin -Session $Sessions[2] -Confirm:$false)
        $results.Count | Should -BeGreaterThan 0
        $results.Status | ForEach-Object { $_ | Should -Be 'Revoked' }
        (Get-TenantJournal (Select-TestTenant $Tenant 2)).revocations.Count | Should -Be $results.Count
        (Get-TenantJournal (Select-TestTenant $Tenant 0)).revocations | Should -BeNullOrEmpty
    }
}

Describe 'Get-OutlookQrGuardReport -FleetRow' {
    It 'writes one HTML page over every tenant, worst first' {
        $path = Join-Path $Work 'fleet.html'
        $file = $Rows | Get-OutlookQrGuardReport -Path $path
        $file.FullName | Should -Be $path
        $html = Get-Content -Raw $path
        foreach ($t in $Tenant.Tenants[0..4]) { $html | Should -BeLike "*$($t.tenantDomain)*" }
        $order = 'contoso', 'northwind', 'fabrikam', 'adatum' | ForEach-Object { $html.IndexOf("$_.onmicrosoft.com") }
        $order | Should -Be ($order | Sort-Object)
        $html | Should -Not -BeLike '*<script*'
    }

    It 'returns the JSON text without -Path' {
        $doc = $Rows | Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
        $doc.tenants | Should -Be 5
        $doc.tenantsAtRisk | Should -Be 3
        $doc.rows[0].verdict | Should -Be 'Exposed'
    }

    It 'refuses Csv for the fleet page with a clear error' {
        { $Rows | Get-OutlookQrGuardReport -Format Csv -ErrorAction Stop } | Should -Throw '*Export-Csv*'
    }
}

Describe 'examples/Fleet-Demo.ps1' {
    It 'runs a fleet of six emulated tenants from a CSV and shows the change and the drift between two runs' {
        $out = Join-Path $Work 'fleet-demo'
        $text = & (Join-Path $PSScriptRoot '../../examples/Fleet-Demo.ps1') -ModulePath $env:OQG_MODULE_PATH -EmulatorPath $env:OQG_EMULATOR_PATH -OutputDirectory $out -Users 20 -Devices 40 6>&1 | Out-String
        $text | Should -Match 'Not connected: .*litware\.onmicrosoft\.com.*AADSTS700016'
        $text | Should -Match 'contoso\.onmicrosoft\.com: Exposed/Exposed -> PromptHidden/PromptHidden'
        $text | Should -Match 'tailspin\.onmicrosoft\.com: Exposed/Exposed -> PromptHidden/PromptHidden'
        $text | Should -Match 'fabrikam\.onmicrosoft\.com: PromptHidden/PromptHidden -> Exposed/Exposed'
        # The drift against each tenant's baseline: only fabrikam got worse.
        $text | Should -Match '1 tenant\(s\) got worse since the baseline: fabrikam\.onmicrosoft\.com'
        @(Get-ChildItem (Join-Path $out 'baseline-*.json')) | Should -HaveCount 5
        (Get-Content -Raw (Join-Path $out 'fleet.json') | ConvertFrom-Json).tenants | Should -Be 5
        Test-Path (Join-Path $out 'fleet.html') | Should -BeTrue
    }
}
