# Revoke-OutlookMobileSignin against the tenant emulator: results, errors and the emulator's
# journal of revocations (what Graph really did) must agree.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 25 -Devices 90 -Seed 11
    $script:Session = Connect-TestTenant $Tenant
    $script:Mailboxes = @(Get-TenantSeededMailbox $Tenant)
    $script:OutlookSeeded = @(Get-TenantSeededDeviceList $Tenant -Model 'Outlook for iOS and Android')
    $script:Upns = @($Mailboxes | ForEach-Object UserPrincipalName)

    function script:Get-Revocation { @((Get-TenantJournal $Tenant).revocations) }
    function script:Get-GraphRequest { @((Get-TenantJournal $Tenant).requests | Where-Object { $_.endpoint -in 'GraphRevoke', 'GraphBatch', 'GraphUsers' }) }
    # UPNs of the mailboxes that own the given devices (distinct).
    function script:Get-OwnerUpn([object[]] $Devices) {
        $names = @($Devices | Get-DeviceMailboxName | Select-Object -Unique)
        @($Mailboxes | Where-Object { $_.Name -in $names } | ForEach-Object UserPrincipalName)
    }
    function script:Sorted([object[]] $Values) { @($Values | ForEach-Object { "$_".ToLowerInvariant() } | Sort-Object) }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Revoke-OutlookMobileSignin: users' {
    BeforeEach { Reset-TenantJournal $Tenant }

    It 'revokes UPNs given as arguments: one RevokeResult each, each revoked exactly once' {
        $users = $Upns[1], $Upns[2], $Upns[3]
        $results = @(Revoke-OutlookMobileSignin $users -Confirm:$false)
        $results.Count | Should -Be 3
        $results[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.RevokeResult'
        @($results | Where-Object Status -NE 'Revoked').Count | Should -Be 0
        Sorted $results.UserPrincipalName | Should -Be (Sorted $users)
        Sorted (Get-Revocation).userPrincipalName | Should -Be (Sorted $users)
    }

    It 'revokes UPN strings from the pipeline' {
        $users = $Upns[4], $Upns[5]
        $results = @($users | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Status | Should -Be @('Revoked', 'Revoked')
        Sorted (Get-Revocation).userPrincipalName | Should -Be (Sorted $users)
    }

    It 'revokes object ids and objects with a UserPrincipalName property' {
        $byId = $Mailboxes[6]
        $byProperty = $Mailboxes[7]
        $results = @($byId.ExternalDirectoryObjectId, [pscustomobject]@{ UserPrincipalName = $byProperty.UserPrincipalName; Other = 1 } | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Count | Should -Be 2
        @($results | Where-Object Status -NE 'Revoked').Count | Should -Be 0
        $revocations = Get-Revocation
        Sorted $revocations.userId | Should -Be (Sorted $byId.ExternalDirectoryObjectId, $byProperty.ExternalDirectoryObjectId)
    }

    It 'revokes a user given twice in different spellings once' {
        $upn = $Upns[8]
        $results = @(Revoke-OutlookMobileSignin $upn, $upn.ToUpperInvariant(), " $upn " -Confirm:$false)
        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Revoked'
        @(Get-Revocation).Count | Should -Be 1
        @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ 'GraphRevoke').Count | Should -Be 1
    }

    It 'reports an unknown user as NotFound with a non-terminating error naming them; the others are revoked' -Tag 'BadInput' {
        $unknown = 'nobody.here@' + $Tenant.Credentials.tenantDomain
        $results = @(Revoke-OutlookMobileSignin $Upns[9], $unknown, $Upns[10] -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 3
        ($results | Where-Object UserPrincipalName -EQ $unknown).Status | Should -Be 'NotFound'
        @($results | Where-Object Status -EQ 'Revoked').Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($unknown))
        $errs[0].TargetObject.Status | Should -Be 'NotFound'
        Sorted (Get-Revocation).userPrincipalName | Should -Be (Sorted $Upns[9], $Upns[10])
    }

    It 'reports an invalid UPN as Invalid with an error, and sends nothing for it' -Tag 'BadInput' {
        $results = @(Revoke-OutlookMobileSignin 'bad upn', $Upns[11] -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        ($results | Where-Object Input -EQ 'bad upn').Status | Should -Be 'Invalid'
        ($results | Where-Object Input -NE 'bad upn').Status | Should -Be 'Revoked'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].Exception.Message | Should -Match 'bad upn'
        @((Get-TenantJournal $Tenant).requests | Where-Object { $_.path -match 'bad' }).Count | Should -Be 0
        (Get-Revocation).userPrincipalName | Should -Be @($Upns[11])
    }

    It 'reports a guest (#EXT#) as NotSupported with an error, never as Revoked, and sends nothing for it' -Tag 'BadInput' {
        # user-revokesigninsessions.md: the API does not revoke external users' sessions.
        $guest = 'someone_fabrikam.com#EXT#@' + $Tenant.Credentials.tenantDomain
        $results = @(Revoke-OutlookMobileSignin $guest, $Upns[20] -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 2
        ($results | Where-Object Input -EQ $guest).Status | Should -Be 'NotSupported'
        ($results | Where-Object Input -EQ $guest).Message | Should -Match 'external'
        ($results | Where-Object Input -NE $guest).Status | Should -Be 'Revoked'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument*'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($guest))
        $errs[0].Exception.Message | Should -Match 'home tenant'
        @((Get-TenantJournal $Tenant).requests | Where-Object { $_.path -match 'EXT' }).Count | Should -Be 0
        (Get-Revocation).userPrincipalName | Should -Be @($Upns[20])
    }

    It 'addresses a UPN that starts with $ as /users(''$x@y'') (user-get.md), so an unknown one is NotFound, not a 400' -Tag 'BadInput' {
        $dollar = '$svc.account@' + $Tenant.Credentials.tenantDomain
        $results = @(Revoke-OutlookMobileSignin $dollar -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Status | Should -Be @('NotFound')
        $errs.Count | Should -Be 1
        $items = @((Get-TenantJournal $Tenant).requests | Where-Object { $_.batchItemId })
        $items.Count | Should -Be 1
        $items[0].path | Should -BeLike "*/users('$dollar')/revokeSignInSessions"
        $items[0].status | Should -Be 404
    }

    It 'reports an object that names no user (NotARevokeTarget) and still revokes the rest' {
        $results = @([pscustomobject]@{ Name = 'no upn here' }, $Upns[12] | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotARevokeTarget*'
        $errs[0].Exception.Message | Should -Match 'no upn here'
        $results.Status | Should -Be @('Revoked')
        (Get-Revocation).userPrincipalName | Should -Be @($Upns[12])
    }

    It '-ErrorAction Stop turns the first per-user failure into a terminating error' {
        $unknown = 'ghost@' + $Tenant.Credentials.tenantDomain
        $err = { Revoke-OutlookMobileSignin $unknown, $Upns[13] -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.NotFound*'
        $err.Exception.Message | Should -Match ([regex]::Escape($unknown))
    }

    It '-WhatIf revokes nothing and sends nothing' {
        $out = @(Revoke-OutlookMobileSignin $Upns[14], $Upns[15] -WhatIf)
        $out.Count | Should -Be 0
        @(Get-Revocation).Count | Should -Be 0
        @(Get-GraphRequest).Count | Should -Be 0
    }

    It 'is high impact: it asks for confirmation, and revokes nothing when nobody can answer' {
        $attribute = (Get-Command Revoke-OutlookMobileSignin).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $attribute.SupportsShouldProcess | Should -BeTrue
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({ param($m, $s, $u) Import-Module $m; Revoke-OutlookMobileSignin $u -Session $s }).AddArgument($env:OQG_MODULE_PATH).AddArgument($Session).AddArgument($Upns[16])
            try { $null = $ps.Invoke() } catch { }
        }
        finally { $ps.Dispose() }
        @(Get-Revocation).Count | Should -Be 0
    }

    It 'takes its own results back from the pipeline (they carry UserPrincipalName)' {
        $first = @(Revoke-OutlookMobileSignin $Upns[17] -Confirm:$false)
        Reset-TenantJournal $Tenant
        $again = @($first | Revoke-OutlookMobileSignin -Confirm:$false)
        $again.Status | Should -Be @('Revoked')
        (Get-Revocation).userPrincipalName | Should -Be @($Upns[17])
    }
}

Describe 'Revoke-OutlookMobileSignin: devices from Get-OutlookMobileDevice' {
    BeforeEach { Reset-TenantJournal $Tenant }

    It 'revokes one user with several phones once' {
        $owner = $OutlookSeeded | Get-DeviceMailboxName | Group-Object | Sort-Object Count -Descending | Select-Object -First 1
        $owner.Count | Should -BeGreaterThan 1
        $upn = ($Mailboxes | Where-Object Name -EQ $owner.Name).UserPrincipalName
        $devices = @(Get-OutlookMobileDevice -UserPrincipalName $upn)
        $devices.Count | Should -Be $owner.Count
        $results = @($devices | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Revoked'
        $results[0].UserPrincipalName | Should -Be $upn
        $results[0].Input | Should -Be $owner.Name
        $results[0].UserId | Should -Be ($Mailboxes | Where-Object Name -EQ $owner.Name).ExternalDirectoryObjectId
        (Get-Revocation).userPrincipalName | Should -Be @($upn)
    }

    It 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false revokes every owner exactly once' {
        $expected = Get-OwnerUpn $OutlookSeeded
        $expected.Count | Should -BeLessThan $OutlookSeeded.Count -Because 'some users have several devices'
        $results = @(Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Count | Should -Be $expected.Count
        @($results | Where-Object Status -NE 'Revoked').Count | Should -Be 0
        Sorted $results.UserPrincipalName | Should -Be (Sorted $expected)
        $revocations = Get-Revocation
        $revocations.Count | Should -Be $expected.Count
        Sorted $revocations.userPrincipalName | Should -Be (Sorted $expected)
        @((Get-TenantJournal $Tenant).requests | Where-Object cmdlet -EQ 'Get-Mailbox').Count | Should -BeGreaterThan 0 -Because 'devices are resolved to users through their mailboxes'
    }
}

Describe 'Revoke-OutlookMobileSignin: Graph refuses and fails' {
    AfterEach { Reset-TenantFault $Tenant; $null = Connect-TestTenant $Tenant }

    It 'reports Forbidden (PermissionDenied) per user when the Graph token has no permission' -Tag 'BadInput' {
        $exchange = ConvertTo-SecureString (Get-TenantAccessToken $Tenant -Resource Exchange) -AsPlainText -Force
        $graph = ConvertTo-SecureString (Get-TenantAccessToken $Tenant -Resource Graph -App noRoleApp) -AsPlainText -Force
        $endpoint = Get-TenantEndpoint $Tenant
        $s = Connect-OutlookQrGuard -Organization $Tenant.Credentials.tenantDomain -AccessToken $exchange -GraphAccessToken $graph @endpoint
        Reset-TenantJournal $Tenant
        $results = @(Revoke-OutlookMobileSignin $Upns[18], $Upns[19] -Session $s -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 2
        @($results | Where-Object Status -NE 'Forbidden').Count | Should -Be 0
        $errs.Count | Should -Be 2
        $errs | ForEach-Object {
            $_.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $_.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied*'
        }
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($results[0].UserPrincipalName))
        @(Get-Revocation).Count | Should -Be 0
    }

    It 'without User.Read.All a lost $batch reply cannot be checked: its users are revoked again and one warning names the permission' {
        $s = Connect-TestTenant $Tenant -App revokeOnlyApp
        Reset-TenantJournal $Tenant
        # The 2nd $batch reply is cut after the service acted on it.
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphBatch'; fault = 'ResetMidBody'; everyNth = 2; times = 1 })
        $results = @(Revoke-OutlookMobileSignin $Upns -Session $s -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue)
        @($results | Where-Object Status -NE 'Revoked') | Should -BeNullOrEmpty
        $results.Count | Should -Be $Upns.Count
        $said = @($w | Where-Object { "$_" -match 'User\.Read\.All' })
        $said.Count | Should -Be 1
        $journal = Get-TenantJournal $Tenant
        $denied = @($journal.requests | Where-Object { $_.endpoint -eq 'GraphUsers' -and $_.status -eq 403 }).Count
        $denied | Should -BeGreaterThan 0
        # Everyone at least once; exactly the users that could not be read, twice.
        $counts = @($journal.revocations.userPrincipalName | ForEach-Object ToLowerInvariant | Group-Object)
        $counts.Count | Should -Be $Upns.Count
        @($counts | Where-Object Count -EQ 2).Count | Should -Be $denied
    }

    It 'signs in again when the Graph token expires between calls, and when one $batch item is refused as expired' {
        $null = Revoke-OutlookMobileSignin $Upns[1] -Confirm:$false
        Reset-TenantJournal $Tenant
        $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/expire-tokens' -Method POST
        $results = @(Revoke-OutlookMobileSignin $Upns[2], $Upns[3] -Confirm:$false -WarningAction SilentlyContinue)
        $results.Status | Should -Be @('Revoked', 'Revoked')
        @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ 'Token').Count | Should -Be 1
        # Item 4 of 5 answers 401 (expired); its retry is request 6, which passes.
        Reset-TenantJournal $Tenant
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphRevoke'; fault = 'ExpiredToken'; everyNth = 4 })
        $users = $Upns[4..8]
        $results = @(Revoke-OutlookMobileSignin $users -Confirm:$false -WarningAction SilentlyContinue)
        @($results | Where-Object Status -NE 'Revoked') | Should -BeNullOrEmpty
        Sorted (Get-Revocation).userPrincipalName | Should -Be (Sorted $users)
    }

    # Scripts can tell "try again later" from a real failure by the category.
    It 'reports a user still throttled after all retries as throttled (LimitsExceeded)' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphRevoke'; fault = @{ Throttle = @{ retryAfter = '0.1' } }; rate = 1.0 })
        $null = @(Revoke-OutlookMobileSignin $Upns[1] -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.Throttled*'
    }

    It 'revokes every user exactly once (in results) under <Name>' -ForEach @(
        @{ Name = '20% throttling of revocations'; Once = $true; Rules = @(@{ endpoint = 'GraphRevoke'; fault = @{ Throttle = @{ retryAfter = '0.1' } }; rate = 0.2 }) }
        @{ Name = '503 on revocations'; Once = $true; Rules = @(@{ endpoint = 'GraphRevoke'; fault = @{ ServerError = @{ status = 503; retryAfter = '0.1' } }; rate = 0.2 }) }
        # A 503 to a $batch may come after the service acted, so it is checked like a lost reply
        # (below): wait out the whole-second signInSessionsValidFromDateTime of the case before.
        @{ Name = 'throttled and failing $batch requests'; Once = $true; Gap = $true; Rules = @(
                @{ endpoint = 'GraphBatch'; fault = @{ Throttle = @{ retryAfter = '0.1' } }; everyNth = 2 }
                @{ endpoint = 'GraphBatch'; fault = @{ ServerError = @{ status = 503; retryAfter = '0.1' } }; everyNth = 3 }) }
        # The batch runs, then its reply is lost: the users are read (signInSessionsValidFromDateTime)
        # before anything is sent again, so still nobody is revoked twice.
        @{ Name = 'a $batch reply cut by a connection reset'; Once = $true; Rules = @(@{ endpoint = 'GraphBatch'; fault = 'ResetMidBody'; everyNth = 2 }) }
        @{ Name = 'a $batch reply cut short (truncated JSON)'; Once = $true; Rules = @(@{ endpoint = 'GraphBatch'; fault = 'TruncatedJson'; everyNth = 2 }) }
        # A 502 here means the batch was not carried out: the read finds the users not revoked
        # and sends them again. signInSessionsValidFromDateTime has whole seconds, so a user
        # revoked a moment earlier (by the case before) would read as revoked: wait that out.
        @{ Name = 'a gateway 502 to $batch requests'; Once = $true; Gap = $true; Rules = @(@{ endpoint = 'GraphBatch'; fault = @{ ServerError = @{ status = 502 } }; everyNth = 2; times = 1 }) }
    ) {
        if ($Gap) { Start-Sleep -Seconds 3 }
        Reset-TenantJournal $Tenant
        Set-TenantFault $Tenant -Rules $Rules -Seed 5
        $results = @(Revoke-OutlookMobileSignin $Upns -Confirm:$false -WarningAction SilentlyContinue)
        $journal = Get-TenantJournal $Tenant
        @($journal.requests | Where-Object fault).Count | Should -BeGreaterThan 0 -Because 'the fault plan must have fired'
        $results.Count | Should -Be $Upns.Count
        @($results | Where-Object Status -NE 'Revoked') | Should -BeNullOrEmpty
        Sorted $results.UserPrincipalName | Should -Be (Sorted $Upns)
        $revoked = @($journal.revocations.userPrincipalName | ForEach-Object ToLowerInvariant | Select-Object -Unique)
        Sorted $revoked | Should -Be (Sorted $Upns) -Because 'every user was revoked at least once'
        # Throttled or failed items were never executed, and lost replies were checked first.
        if ($Once) { @($journal.revocations).Count | Should -Be $Upns.Count }
    }
}

Describe 'Revoke-OutlookMobileSignin: stopping' {
    AfterEach { Reset-TenantFault $Tenant }

    It 'stops within 2 s when the pipeline is stopped while Graph is slow' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphBatch'; fault = @{ Latency = 5000 }; everyNth = 1 })
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({ param($m, $s, $u) Import-Module $m; Revoke-OutlookMobileSignin $u -Session $s -Confirm:$false }).AddArgument($env:OQG_MODULE_PATH).AddArgument($Session).AddArgument($Upns)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1000
            $async.IsCompleted | Should -BeFalse -Because 'every $batch takes 5 s'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
    }

    It 'still writes every outcome to -ResultPath: batches sent and unanswered are Unknown, never Revoked' {
        Reset-TenantJournal $Tenant
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphBatch'; fault = @{ Latency = 5000 }; everyNth = 1 })
        $path = Join-Path $TestDrive 'stopped-unanswered.csv'
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({ param($m, $s, $u, $p) Import-Module $m; Revoke-OutlookMobileSignin $u -Session $s -Confirm:$false -ResultPath $p }).AddArgument($env:OQG_MODULE_PATH).AddArgument($Session).AddArgument($Upns).AddArgument($path)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1000
            $ps.Stop()
        }
        finally { $ps.Dispose() }
        $rows = @(Import-Csv $path)
        $rows.Count | Should -Be $Upns.Count
        Sorted $rows.Requested | Should -Be (Sorted $Upns)
        # 25 users are two batches, both sent at once and both still unanswered at the stop.
        @($rows | Where-Object Status -NE 'Unknown') | Should -BeNullOrEmpty
        $rows[0].Message | Should -Match 'may have been revoked'
    }
}

Describe 'Revoke-OutlookMobileSignin: Ctrl+C in the middle of many users' {
    BeforeAll {
        $script:Big = Start-TestTenant -Users 200 -Devices 10 -Seed 3
        $script:BigUpns = @(Get-TenantSeededMailbox $Big | ForEach-Object UserPrincipalName)
    }
    AfterAll { Stop-TestTenant $Big }

    It 'tells the admin who was revoked (exactly the service''s journal), who was cancelled, and keeps it all in -ResultPath' {
        Reset-TenantJournal $Big
        # 10 batches, 4 in flight, 0.7 s each: at the stop some batches are answered, some are in
        # flight (answered within the grace) and some were never sent.
        Set-TenantFault $Big -Rules @(@{ endpoint = 'GraphBatch'; fault = @{ Latency = 700 }; everyNth = 1 })
        $path = Join-Path $TestDrive 'stopped-midway.csv'
        $usersFile = Join-Path $TestDrive 'users.txt'
        Set-Content -LiteralPath $usersFile -Value $BigUpns -Encoding utf8
        # A runspace on the child's own host: what a stopped command writes to the host (the
        # summary) is what the admin sees after Ctrl+C.
        $run = Invoke-TenantChildScript $Big -Script @"
`$rs = [runspacefactory]::CreateRunspace(`$Host); `$rs.Open()
`$ps = [PowerShell]::Create(); `$ps.Runspace = `$rs
`$session = Connect-TestTenant `$Tenant
`$null = `$ps.AddScript({ param(`$m, `$u, `$p, `$s) Import-Module `$m; Revoke-OutlookMobileSignin `$u -Session `$s -Confirm:`$false -ResultPath `$p }).AddArgument('$($env:OQG_MODULE_PATH)').AddArgument(@(Get-Content -LiteralPath '$usersFile')).AddArgument('$path').AddArgument(`$session)
`$async = `$ps.BeginInvoke()
Start-Sleep -Milliseconds 1200
`$ps.Stop()
'state: ' + `$ps.InvocationStateInfo.State
"@
        $journal = @((Get-TenantJournal $Big).revocations.userPrincipalName | ForEach-Object ToLowerInvariant | Select-Object -Unique)
        $rows = @(Import-Csv $path)
        $rows.Count | Should -Be $BigUpns.Count -Because $run.Text
        Sorted $rows.Requested | Should -Be (Sorted $BigUpns)
        $revoked = @($rows | Where-Object Status -EQ 'Revoked' | ForEach-Object { $_.Requested.ToLowerInvariant() })
        $cancelled = @($rows | Where-Object Status -EQ 'Cancelled')
        $unknown = @($rows | Where-Object Status -EQ 'Unknown' | ForEach-Object { $_.Requested.ToLowerInvariant() })
        $revoked.Count | Should -BeGreaterThan 0
        $cancelled.Count | Should -BeGreaterThan 0 -Because 'the stop came before the last batches were sent'
        ($revoked.Count + $cancelled.Count + $unknown.Count) | Should -Be $BigUpns.Count
        # Every Revoked is a revocation the service made; every revocation it made is Revoked,
        # or Unknown if its batch did not answer within the grace. Nothing Cancelled was sent.
        @($revoked | Where-Object { $_ -notin $journal }) | Should -BeNullOrEmpty
        @($journal | Where-Object { $_ -notin $revoked -and $_ -notin $unknown }) | Should -BeNullOrEmpty
        $run.Text | Should -Match 'state: Stopped'
        $run.Text | Should -Match ("was stopped: {0} revoked, {1} cancelled" -f $revoked.Count, $cancelled.Count)
        $run.Text | Should -Match ([regex]::Escape($revoked[0]))
        $run.Text | Should -Match ([regex]::Escape($path))
    }
}

Describe 'Revoke-OutlookMobileSignin: names that break naive code' {
    BeforeAll {
        # Seed 4 with 300 users holds O'Brien, "Comma, Carla" (an escaped comma in the DN),
        # =HYPERLINK(…), D'Angelo ''Double'' and -Minus, each with Outlook devices.
        $script:Hostile = Start-TestTenant -Users 300 -Devices 600 -Seed 4
        $script:HostileSession = Connect-TestTenant $Hostile
        $script:HostileMailboxes = @(Get-TenantSeededMailbox $Hostile)
        $script:HostileDevices = @(Get-TenantSeededDeviceList $Hostile -Model 'Outlook for iOS and Android')
        $null = Connect-TestTenant $Tenant # the default session stays the main tenant
    }
    AfterAll { Stop-TestTenant $Hostile }
    BeforeEach { Reset-TenantJournal $Hostile }

    It 'finds and revokes <Upn> through its devices, once' -ForEach @(
        @{ Upn = "pat.o'brien@contoso.onmicrosoft.com" }
        @{ Upn = 'carla.comma@contoso.onmicrosoft.com' }
        @{ Upn = 'formula.eq@contoso.onmicrosoft.com' }
        @{ Upn = "d'angelo@contoso.onmicrosoft.com" }
        @{ Upn = 'formula.minus@contoso.onmicrosoft.com' }
    ) {
        $mailbox = $HostileMailboxes | Where-Object UserPrincipalName -EQ $Upn
        $mailbox | Should -Not -BeNullOrEmpty -Because 'the seed holds this user'
        $expected = @($HostileDevices | Where-Object { ($_ | Get-DeviceMailboxName) -eq $mailbox.Name })
        $expected.Count | Should -BeGreaterThan 0
        $devices = @(Get-OutlookMobileDevice -UserPrincipalName $Upn -Session $HostileSession)
        @($devices.DeviceId | Sort-Object) | Should -Be @($expected.DeviceId | Sort-Object)
        $results = @($devices | Revoke-OutlookMobileSignin -Session $HostileSession -Confirm:$false)
        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Revoked'
        $results[0].UserPrincipalName | Should -Be $Upn
        $results[0].Input | Should -BeExactly $mailbox.Name
        (Get-TenantJournal $Hostile).revocations.userPrincipalName | Should -Be @($Upn)
    }

    It 'revokes every owner of 400+ devices exactly once' {
        $expectedUpns = @($HostileMailboxes | Where-Object { $_.Name -in @($HostileDevices | Get-DeviceMailboxName) } | ForEach-Object UserPrincipalName)
        $expectedUpns.Count | Should -BeGreaterThan 100
        $results = @(Get-OutlookMobileDevice -Session $HostileSession | Revoke-OutlookMobileSignin -Session $HostileSession -Confirm:$false)
        $results.Count | Should -Be $expectedUpns.Count
        @($results | Where-Object Status -NE 'Revoked') | Should -BeNullOrEmpty
        $revocations = @((Get-TenantJournal $Hostile).revocations)
        $revocations.Count | Should -Be $expectedUpns.Count
        Sorted $revocations.userPrincipalName | Should -Be (Sorted $expectedUpns)
    }
}
