# Get-OutlookMobileDevice against the tenant emulator, checked against its seeded ground truth.
# Small pages (--page-size 5) so that paging, early stops and faults span many requests.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 25 -Devices 90 -Seed 11 -ExtraArguments '--page-size', '5'
    $script:Session = Connect-TestTenant $Tenant
    $script:OutlookModel = 'Outlook for iOS and Android'
    $script:AllSeeded = @(Get-TenantSeededDeviceList $Tenant)
    $script:OutlookSeeded = @(Get-TenantSeededDeviceList $Tenant -Model $OutlookModel)
    $script:Mailboxes = @(Get-TenantSeededMailbox $Tenant)
    Reset-TenantJournal $Tenant

    # The 40 properties of ExchangeOnlineManagement 3 (REST) in the service's order
    # (../shared/docs/exchange-admin-rest.md, Get-MobileDevice, CORRECTED 2026-12-06).
    $script:ServiceOrder = @('FriendlyName', 'DeviceId', 'DeviceImei', 'DeviceMobileOperator', 'DeviceOS', 'DeviceOSLanguage',
        'DeviceTelephoneNumber', 'DeviceType', 'DeviceUserAgent', 'DeviceModel', 'FirstSyncTime', 'UserDisplayName',
        'DeviceAccessState', 'DeviceAccessStateReason', 'DeviceAccessControlRule', 'ClientVersion', 'ClientType', 'IsManaged',
        'IsCompliant', 'IsDisabled', 'AdminDisplayName', 'ExchangeVersion', 'DirectoryObjectVersion', 'Name', 'DistinguishedName',
        'Identity', 'ObjectCategory', 'ObjectClass', 'WhenChanged', 'WhenCreated', 'WhenChangedUTC', 'WhenCreatedUTC',
        'ExchangeObjectId', 'OrganizationalUnitRoot', 'OrganizationId', 'Id', 'Guid', 'OriginatingServer', 'IsValid', 'ObjectState')

    function script:Get-ExchangeRequest { @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ 'ExchangeInvokeCommand') }
    function script:Get-SortedId([object[]] $Devices) { @($Devices | ForEach-Object DeviceId | Sort-Object) }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Get-OutlookMobileDevice: what it returns' {
    BeforeAll { $script:Listed = @(Get-OutlookMobileDevice) }

    It 'returns exactly the seeded Outlook for iOS and Android devices' {
        $OutlookSeeded.Count | Should -BeGreaterThan 10 -Because 'the seed must give a useful set'
        $OutlookSeeded.Count | Should -BeLessThan $AllSeeded.Count -Because 'some devices are native EAS clients'
        $Listed.Count | Should -Be $OutlookSeeded.Count
        Get-SortedId $Listed | Should -Be (Get-SortedId $OutlookSeeded)
        @($Listed | Where-Object DeviceModel -NE $OutlookModel).Count | Should -Be 0
    }

    It 'returns OutlookMobileDevice objects with the service property order, then UserDisplayNameNew' {
        $Listed[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.OutlookMobileDevice'
        $names = @($Listed[0].PSObject.Properties.Name)
        $names | Should -Be (@($ServiceOrder) + 'UserDisplayNameNew')
        $names.Count | Should -Be 41
        $names | Should -Not -Contain 'MailboxDistinguishedName'
    }

    It 'sets UserDisplayNameNew to the mailbox Name: the Identity before the first backslash' {
        foreach ($d in $Listed) {
            $d.UserDisplayNameNew | Should -BeExactly ($d.Identity.Substring(0, $d.Identity.IndexOf('\')))
            # Identity as Microsoft documents it: <mailbox Name>\ExchangeActiveSyncDevices\REST§Outlook§<id>
            $d.Identity | Should -BeExactly "$($d.UserDisplayNameNew)\ExchangeActiveSyncDevices\REST§Outlook§$($d.DeviceId)"
        }
        $names = @($Mailboxes | ForEach-Object Name)
        foreach ($d in $Listed) { $names | Should -Contain $d.UserDisplayNameNew }
        # Some seeded names are not ASCII: they must survive.
        @($Listed | Where-Object { $_.UserDisplayNameNew -match '[^\x00-\x7F]' }).Count | Should -BeGreaterThan 0
    }

    It 'carries every value of the seeded device; dates as UTC DateTime, booleans as bool' {
        # Mismatches are collected, not asserted one by one: thousands of Should calls are slow.
        $truth = @{}
        foreach ($s in $OutlookSeeded) { $truth[$s.DeviceId] = $s }
        $wrong = [Collections.Generic.List[string]]::new()
        foreach ($d in $Listed) {
            $s = $truth[$d.DeviceId]
            foreach ($p in $ServiceOrder) {
                $want = $s.$p; $have = $d.$p
                if ($want -is [datetime]) {
                    if ($have -isnot [datetime] -or $have.Kind -ne 'Utc' -or $have.Ticks -ne $want.ToUniversalTime().Ticks) { $wrong.Add("$($d.DeviceId).$p = '$have' ($($have.Kind)), want '$($want.ToString('o'))'") }
                }
                elseif ($want -is [bool]) {
                    if ($have -isnot [bool] -or $have -ne $want) { $wrong.Add("$($d.DeviceId).$p = '$have' ($($have.GetType().Name)), want $want") }
                }
                elseif ($p -eq 'ObjectClass') {
                    if ((@($have) -join '|') -cne (@($want) -join '|')) { $wrong.Add("$($d.DeviceId).$p = '$have', want '$want'") }
                }
                elseif ($have -cne $want) { $wrong.Add("$($d.DeviceId).$p = '$have', want '$want'") }
            }
        }
        $wrong | Should -BeNullOrEmpty
        $Listed[0].FirstSyncTime | Should -BeOfType [datetime]
        $Listed[0].IsManaged | Should -BeOfType [bool]
    }

    It '-AnyDeviceModel returns every device' {
        $all = @(Get-OutlookMobileDevice -AnyDeviceModel)
        $all.Count | Should -Be $AllSeeded.Count
        Get-SortedId $all | Should -Be (Get-SortedId $AllSeeded)
    }

    It '-DeviceModel returns the devices of another model' {
        $model = ($AllSeeded | Where-Object DeviceModel -NE $OutlookModel | Group-Object DeviceModel | Sort-Object Count -Descending | Select-Object -First 1).Name
        $expected = @($AllSeeded | Where-Object DeviceModel -EQ $model)
        $got = @(Get-OutlookMobileDevice -DeviceModel $model)
        $got.Count | Should -Be $expected.Count
        Get-SortedId $got | Should -Be (Get-SortedId $expected)
    }

    It '-UserPrincipalName limits the list to that user''s devices' {
        $owner = $OutlookSeeded | Get-DeviceMailboxName | Group-Object | Sort-Object Count -Descending | Select-Object -First 1
        $owner.Count | Should -BeGreaterThan 1 -Because 'a user with several phones makes the test meaningful'
        $mailbox = $Mailboxes | Where-Object Name -EQ $owner.Name
        $got = @(Get-OutlookMobileDevice -UserPrincipalName $mailbox.UserPrincipalName)
        $expected = @($OutlookSeeded | Where-Object { ($_ | Get-DeviceMailboxName) -eq $owner.Name })
        $got.Count | Should -Be $expected.Count
        Get-SortedId $got | Should -Be (Get-SortedId $expected)
    }

    It '-DeviceModel with an apostrophe is quoted for the filter: no devices, no error' {
        $got = @(Get-OutlookMobileDevice -DeviceModel "O'Brien's phone" -ErrorVariable e)
        $got.Count | Should -Be 0
        $e | Should -BeNullOrEmpty
    }

    It '-ResultSize Unlimited (any case) returns every device' {
        @(Get-OutlookMobileDevice -ResultSize unlimited).Count | Should -Be $OutlookSeeded.Count
    }

    It '-ResultSize 7 returns 7 devices and relays the service''s "more results" warning' {
        $got = @(Get-OutlookMobileDevice -ResultSize 7 -WarningVariable w -WarningAction SilentlyContinue)
        $got.Count | Should -Be 7
        @($got | ForEach-Object DeviceId | Select-Object -Unique).Count | Should -Be 7
        $got | ForEach-Object { $_.DeviceId | Should -BeIn $OutlookSeeded.DeviceId }
        ($w -join "`n") | Should -Match 'ResultSize'
    }
}

Describe 'Get-OutlookMobileDevice: paging and early stop' {
    It 'pages across many small pages and returns every device exactly once' {
        Reset-TenantJournal $Tenant
        $all = @(Get-OutlookMobileDevice -AnyDeviceModel)
        $requests = Get-ExchangeRequest
        $requests.Count | Should -BeGreaterOrEqual ([math]::Ceiling($AllSeeded.Count / 5)) -Because 'pages hold at most 5 devices'
        $all.Count | Should -Be $AllSeeded.Count
        @($all.DeviceId | Select-Object -Unique).Count | Should -Be $AllSeeded.Count
    }

    It '| Select-Object -First 3 stops fetching pages' {
        Reset-TenantJournal $Tenant
        $null = @(Get-OutlookMobileDevice)
        $full = (Get-ExchangeRequest).Count
        $full | Should -BeGreaterThan 6
        Reset-TenantJournal $Tenant
        $first = @(Get-OutlookMobileDevice | Select-Object -First 3)
        Start-Sleep -Milliseconds 300 # a page already in flight may still land
        $first.Count | Should -Be 3
        $early = (Get-ExchangeRequest).Count
        $early | Should -BeLessOrEqual 4 -Because 'at most the current page and two buffered ones (plus one in flight)'
        $early | Should -BeLessThan $full
    }
}

Describe 'Get-OutlookMobileDevice: bad arguments and no session' {
    It 'refuses -ResultSize <Value> with OutlookQrGuard.InvalidResultSize and sends nothing' -ForEach @(
        @{ Value = '0' }, @{ Value = 'abc' }, @{ Value = '-3' }, @{ Value = '1.5' }
    ) {
        Reset-TenantJournal $Tenant
        $err = { Get-OutlookMobileDevice -ResultSize $Value } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidResultSize*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match ([regex]::Escape("'$Value'"))
        (Get-ExchangeRequest).Count | Should -Be 0
    }

    It 'says to connect first (OutlookQrGuard.NotConnected) with a closed session and with no default session' {
        $closed = Connect-TestTenant $Tenant
        Disconnect-OutlookQrGuard -Session $closed
        { Get-OutlookMobileDevice -Session $closed } | Should -Throw -ErrorId 'OutlookQrGuard.NotConnected*'
        Disconnect-OutlookQrGuard
        try {
            $err = { Get-OutlookMobileDevice } | Should -Throw -ErrorId 'OutlookQrGuard.NotConnected*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ConnectionError'
            $err.Exception.Message | Should -Match 'Connect-OutlookQrGuard'
        }
        finally { $script:Session = Connect-TestTenant $Tenant }
    }
}

Describe 'Get-OutlookMobileDevice under faults' {
    AfterEach { Reset-TenantFault $Tenant }

    It 'returns the same devices, none twice, when InvokeCommand fails with <Name>; each retry is logged once (short throttling waits in -Verbose, the rest as warnings)' -ForEach @(
        @{ Name = '30% throttling'; Rule = @{ endpoint = 'ExchangeInvokeCommand'; fault = @{ Throttle = @{ retryAfter = '0.1' } }; rate = 0.3 } }
        @{ Name = '503 server errors'; Rule = @{ endpoint = 'ExchangeInvokeCommand'; fault = @{ ServerError = @{ status = 503; retryAfter = '0.1' } }; rate = 0.3 } }
        @{ Name = 'connection resets mid-body'; Rule = @{ endpoint = 'ExchangeInvokeCommand'; fault = 'ResetMidBody'; rate = 0.2 } }
        @{ Name = 'truncated JSON'; Rule = @{ endpoint = 'ExchangeInvokeCommand'; fault = 'TruncatedJson'; rate = 0.2 } }
    ) {
        Reset-TenantJournal $Tenant
        Set-TenantFault $Tenant -Rules @($Rule) -Seed 3
        # 4>&1 merges -Verbose into the output (and into -OutVariable), so split the two by type.
        $all = @(Get-OutlookMobileDevice -AnyDeviceModel -Verbose -WarningVariable w -WarningAction SilentlyContinue 4>&1)
        $devices = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $faulted = @(Get-ExchangeRequest | Where-Object fault)
        $faulted.Count | Should -BeGreaterThan 0 -Because 'the fault plan must have fired'
        $devices.Count | Should -Be $AllSeeded.Count
        @($devices.DeviceId | Select-Object -Unique).Count | Should -Be $AllSeeded.Count
        Get-SortedId $devices | Should -Be (Get-SortedId $AllSeeded)
        $warned = @($w | Where-Object { "$_" -match 'retrying' })
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'retrying' })
        ($warned.Count + $verbose.Count) | Should -Be $faulted.Count -Because 'every failed attempt is retried once, with one line'
        @($warned) + @($verbose) | ForEach-Object { "$_" | Should -Match 'InvokeCommand' }
        # A short Retry-After is routine pacing (-Verbose); service trouble is a warning.
        if ($Name -eq '30% throttling') { $warned.Count | Should -Be 0; $verbose.Count | Should -Be $faulted.Count }
        else { $verbose.Count | Should -Be 0; $warned.Count | Should -Be $faulted.Count }
    }
}

Describe 'Get-OutlookMobileDevice: stopping' {
    BeforeAll {
        $script:Slow = Start-TestTenant -Users 20 -Devices 120 -Seed 5 -ExtraArguments '--page-size', '5', '--page-latency-ms', '200'
        $script:SlowSession = Connect-TestTenant $Slow
        $script:Session = Connect-TestTenant $Tenant # the default session stays the main tenant
    }
    AfterAll { Stop-TestTenant $Slow }

    It 'stops within 2 s when the pipeline is stopped, and fetches no page afterwards' {
        Reset-TenantJournal $Slow
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({ param($m, $s) Import-Module $m; Get-OutlookMobileDevice -AnyDeviceModel -Session $s }).AddArgument($env:OQG_MODULE_PATH).AddArgument($SlowSession)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1000
            $async.IsCompleted | Should -BeFalse -Because '24 pages of 200 ms take about 5 s'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        $atStop = @((Get-TenantJournal $Slow).requests | Where-Object endpoint -EQ 'ExchangeInvokeCommand').Count
        Start-Sleep -Milliseconds 800
        $later = @((Get-TenantJournal $Slow).requests | Where-Object endpoint -EQ 'ExchangeInvokeCommand').Count
        $later | Should -BeLessOrEqual ($atStop + 1) -Because 'at most a request already in flight lands after the stop'
        $later | Should -BeLessThan 20
    }
}
