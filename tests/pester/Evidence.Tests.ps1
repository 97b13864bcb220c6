# Get-OutlookQrSigninEvidence, Revoke-OutlookMobileSignin fed by it, and Export-OutlookMobileDevice
# -IncludeSigninEvidence, against the tenant emulator. Expected results are computed from the
# emulator's seeded sign-in events (the control API), never from the cmdlets' own output.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    $script:Tenant = Start-TestTenant -Users 40 -Devices 120 -Seed 9
    $script:Session = Connect-TestTenant $Tenant
    $script:Mailboxes = @(Get-TenantSeededMailbox $Tenant)
    $script:AllSignins = @(Get-TenantSignin $Tenant)
    $script:Truth = @(Get-TenantTransferSignin $Tenant)
    $script:ClientSideNotice = 'refused a filter on originalTransferMethod'
    # The export's default layout (RemotePowerShell, the procedure's 42 columns); Export.Tests.ps1 covers both layouts.
    $script:DefaultHeader = @('PSComputerName', 'RunspaceId', 'PSShowComputerName', 'FriendlyName', 'DeviceId', 'DeviceImei',
        'DeviceMobileOperator', 'DeviceOS', 'DeviceOSLanguage', 'DeviceTelephoneNumber', 'DeviceType', 'DeviceUserAgent',
        'DeviceModel', 'FirstSyncTime', 'UserDisplayName', 'DeviceAccessState', 'DeviceAccessStateReason',
        'DeviceAccessControlRule', 'ClientVersion', 'ClientType', 'IsManaged', 'IsCompliant', 'IsDisabled', 'AdminDisplayName',
        'ExchangeVersion', 'Name', 'DistinguishedName', 'Identity', 'Guid', 'ObjectCategory', 'ObjectClass', 'WhenChanged',
        'WhenCreated', 'WhenChangedUTC', 'WhenCreatedUTC', 'ExchangeObjectId', 'OrganizationId', 'Id', 'OriginatingServer',
        'IsValid', 'ObjectState', 'UserDisplayNameNew')
    $script:EvidenceColumns = @('TransferSignInCount', 'TransferFirstSignIn', 'TransferLastSignIn')

    function script:Get-Failure([scriptblock] $Script) { try { & $Script; $null } catch { $_ } }
    function script:Sorted([object[]] $Values) { @($Values | ForEach-Object { "$_" } | Sort-Object) }
    # Graph dates arrive as text or as DateTime, depending on the JSON reader; both become UTC here.
    function script:ConvertTo-Utc($Value) {
        if ($Value -is [datetime]) { return $Value.Kind -eq 'Unspecified' ? [datetime]::SpecifyKind($Value, 'Utc') : $Value.ToUniversalTime() }
        [datetime]::Parse($Value, [cultureinfo]::InvariantCulture, [Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal')
    }
    function script:Get-SigninRequest { @(Get-TenantRequest $Tenant 'GraphSignIns') }
    function script:Reset-Tenant {
        Reset-TenantFault $Tenant
        Set-TenantSetting $Tenant -Premium $true -RefuseTransferMethodFilter $false -SignInRatePerSecond 5
        Reset-TenantJournal $Tenant
    }
    # The cmdlet's arguments and the ground truth for one named query (the same for both filter paths).
    function script:Get-QueryCase([string] $Name) {
        $user = ($Truth | Group-Object userPrincipalName | Sort-Object Count -Descending | Select-Object -First 1).Group[0]
        $newest = ($Truth | ForEach-Object { ConvertTo-Utc $_.createdDateTime } | Sort-Object -Descending)
        switch ($Name) {
            'default' { @{ Arguments = @{}; Truth = $Truth } }
            'interactive' { @{ Arguments = @{ InteractiveOnly = $true }; Truth = @(Get-TenantTransferSignin $Tenant -InteractiveOnly) } }
            'user by UPN' { @{ Arguments = @{ UserPrincipalName = $user.userPrincipalName }; Truth = @(Get-TenantTransferSignin $Tenant -UserPrincipalName $user.userPrincipalName) } }
            'user by id' { @{ Arguments = @{ UserPrincipalName = $user.userId }; Truth = @(Get-TenantTransferSignin $Tenant -UserPrincipalName $user.userId) } }
            'window' {
                # From just after the 3rd newest event to just after the newest but one: a window that cuts the data.
                $since = $newest[[Math]::Min(6, $newest.Count - 1)].AddSeconds(1)
                $until = $newest[1].AddSeconds(1)
                @{ Arguments = @{ Since = $since; Until = $until }; Truth = @(Get-TenantTransferSignin $Tenant -Since $since -Until $until) }
            }
        }
    }
}
AfterAll {
    Reset-TenantFault $Tenant
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'The seeded sign-in log' {
    It 'holds authentication-transfer sign-ins (interactive and non-interactive), normal ones and other users'' noise, none older than 30 days' {
        $Truth.Count | Should -BeGreaterThan 5
        @($Truth | Where-Object { @($_.signInEventTypes) -contains 'interactiveUser' }).Count | Should -BeGreaterThan 0
        @($Truth | Where-Object { @($_.signInEventTypes) -contains 'nonInteractiveUser' }).Count | Should -BeGreaterThan 0
        @($AllSignins | Where-Object originalTransferMethod -EQ 'none').Count | Should -BeGreaterThan 0
        $oldest = ($AllSignins | ForEach-Object { ConvertTo-Utc $_.createdDateTime } | Sort-Object | Select-Object -First 1)
        $oldest | Should -BeGreaterThan ([datetime]::UtcNow.AddDays(-30).AddMinutes(-5))
    }
}

Describe 'Get-OutlookQrSigninEvidence: the events' {
    BeforeAll {
        Reset-Tenant
        $script:Events = @(Get-OutlookQrSigninEvidence -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $script:Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n"
        $script:Requests = Get-SigninRequest
    }

    It 'returns exactly the authentication-transfer sign-ins of the last 30 days' {
        $Events.Count | Should -Be $Truth.Count
        Sorted $Events.Id | Should -Be (Sorted $Truth.id)
        @($Events | Where-Object TransferMethod -NE 'authenticationTransfer').Count | Should -Be 0
    }

    It 'streams them newest first, as SigninEvidence objects with a table view' {
        $times = @($Events.Time)
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeLessOrEqual $times[$i - 1] }
        $Events[0].PSObject.TypeNames[0] | Should -Be 'OutlookQrGuard.Model.SigninEvidence'
        ($Events | Select-Object -First 3 | Out-String -Width 250) | Should -Match 'Time\s+UserPrincipalName\s+App\s+DeviceOS\s+IPAddress\s+Location\s+Result'
    }

    It 'carries time, user, app, device, IP, location and result as the log has them' {
        $byId = @{}
        foreach ($t in $Truth) { $byId[$t.id] = $t }
        $wrong = foreach ($e in $Events) {
            $t = $byId[$e.Id]
            $want = [ordered]@{
                Time              = ConvertTo-Utc $t.createdDateTime
                UserPrincipalName = $t.userPrincipalName
                UserId            = $t.userId
                App               = $t.appDisplayName
                AppId             = $t.appId
                DeviceOS          = $t.deviceDetail.operatingSystem
                DeviceName        = "$($t.deviceDetail.displayName)"
                DeviceId          = "$($t.deviceDetail.deviceId)"
                IPAddress         = $t.ipAddress
                City              = "$($t.location.city)"
                Country           = "$($t.location.countryOrRegion)"
                Result            = $t.status.errorCode -eq 0 ? 'Success' : 'Failure'
                ErrorCode         = [int]$t.status.errorCode
                EventType         = @($t.signInEventTypes)[0]
                CorrelationId     = $t.correlationId
            }
            foreach ($k in $want.Keys) { if ($e.$k -ne $want[$k]) { "$($e.Id).$k = '$($e.$k)', want '$($want[$k])'" } }
            if ($e.Time.Kind -ne 'Utc') { "$($e.Id).Time is $($e.Time.Kind), want Utc" }
        }
        $wrong -join "`n" | Should -BeNullOrEmpty
    }

    It 'used the server-side filter: the service refused nothing and no client-side notice was given' {
        $Requests.Count | Should -BeGreaterThan 0
        @($Requests | Where-Object status -EQ 400).Count | Should -Be 0
        $Verbose | Should -Not -Match $ClientSideNotice
    }
}

Describe 'Get-OutlookQrSigninEvidence: the server-side and the client-side filter give the same events' {
    BeforeEach { Reset-Tenant }

    It '<_>: server-side filter' -ForEach 'default', 'interactive', 'user by UPN', 'user by id', 'window' {
        $case = Get-QueryCase $_
        $query = $case.Arguments
        $got = @(Get-OutlookQrSigninEvidence @query)
        $case.Truth.Count | Should -BeGreaterThan 0 -Because 'the case must select something'
        Sorted $got.Id | Should -Be (Sorted $case.Truth.id)
        @(Get-SigninRequest | Where-Object status -EQ 400).Count | Should -Be 0
    }

    It '<_>: the service refuses originalTransferMethod in $filter, so the module filters on the client' -ForEach 'default', 'interactive', 'user by UPN', 'user by id', 'window' {
        Set-TenantSetting $Tenant -RefuseTransferMethodFilter $true
        $case = Get-QueryCase $_
        $query = $case.Arguments
        $out = @(Get-OutlookQrSigninEvidence @query -Verbose -WarningVariable warned -WarningAction SilentlyContinue 4>&1)
        $got = @($out | Where-Object { $_ -is [OutlookQrGuard.Model.SigninEvidence] })
        Sorted $got.Id | Should -Be (Sorted $case.Truth.id)
        @($got | Where-Object TransferMethod -NE 'authenticationTransfer').Count | Should -Be 0
        ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n" | Should -Match $ClientSideNotice
        ($warned -join ' ') | Should -Match 'originalTransferMethod'
        # The refusal really happened (the emulator answered 400 once), and the module went on.
        @(Get-SigninRequest | Where-Object status -EQ 400).Count | Should -BeGreaterOrEqual 1
        @(Get-SigninRequest | Where-Object status -EQ 200).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'Get-OutlookQrSigninEvidence: throttling' {
    BeforeEach { Reset-Tenant }

    It 'honours Retry-After when the sign-in log throttles (every other request gets 429)' {
        Set-TenantFault $Tenant -Rules @(@{ endpoint = 'GraphSignIns'; fault = @{ Throttle = @{ retryAfter = '0.5' } }; everyNth = 2 })
        # The client-side path makes several requests, so some of them meet the fault.
        Set-TenantSetting $Tenant -RefuseTransferMethodFilter $true
        $got = @(Get-OutlookQrSigninEvidence -WarningAction SilentlyContinue)
        Sorted $got.Id | Should -Be (Sorted $Truth.id)
        $requests = @(Get-SigninRequest | Sort-Object atUnixMs)
        $throttled = @($requests | Where-Object { $_.status -eq 429 -and $_.fault })
        $throttled.Count | Should -BeGreaterOrEqual 1
        # The request after each injected 429 waited out its Retry-After (0.5 s). (The sign-in log's
        # own rate limit may add 429s with a shorter Retry-After; those are not counted here.)
        $gaps = for ($i = 0; $i -lt $requests.Count - 1; $i++) {
            if ($requests[$i].status -eq 429 -and $requests[$i].fault) { $requests[$i + 1].atUnixMs - $requests[$i].atUnixMs }
        }
        @($gaps).Count | Should -BeGreaterOrEqual 1
        @($gaps | Where-Object { $_ -lt 480 }).Count | Should -Be 0 -Because "every retry waits 0.5 s (gaps: $($gaps -join ', ') ms; statuses: $($requests.status -join ','))"
    }

    It 'waits out the sign-in log''s own rate limit (a token bucket per app, spent beforehand)' {
        Set-TenantSetting $Tenant -SignInRatePerSecond 1
        $token = Get-TenantAccessToken $Tenant -Resource Graph
        # Spend the app's bucket with direct calls, so the module's first request meets a 429.
        1..8 | ForEach-Object {
            $null = Invoke-WebRequest -Uri "$($Tenant.BaseUrl)/beta/auditLogs/signIns?`$top=1" -Headers @{ Authorization = "Bearer $token" } -SkipCertificateCheck -SkipHttpErrorCheck
        }
        Reset-TenantJournal $Tenant
        $got = @(Get-OutlookQrSigninEvidence -WarningAction SilentlyContinue)
        Sorted $got.Id | Should -Be (Sorted $Truth.id)
        @(Get-SigninRequest | Where-Object { $_.status -eq 429 -and -not $_.fault }).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'Get-OutlookQrSigninEvidence: paging and stopping early (a larger tenant)' {
    BeforeAll {
        # 1,200 users: more than one 1,000-event page of transfer sign-ins, and several of Outlook sign-ins.
        $script:Big = Start-TestTenant -Users 1200 -Devices 2400 -Seed 9
        $script:BigSession = Connect-TestTenant $Big
        $script:BigAll = @(Get-TenantSignin $Big)
        $script:BigTruth = @(Get-TenantTransferSignin $Big)
        $script:BigOutlook = @($BigAll | Where-Object appId -EQ '27922004-5251-4030-b22d-91ecd9a37ea4')
        function script:Get-BigPage { @(Get-TenantRequest $Big 'GraphSignIns' | Where-Object status -EQ 200) }
    }
    AfterAll {
        Disconnect-OutlookQrGuard -Session $BigSession -ErrorAction SilentlyContinue
        Stop-TestTenant $Big
        $script:Session = Connect-TestTenant $Tenant  # the main session current again
    }
    BeforeEach {
        Set-TenantSetting $Big -RefuseTransferMethodFilter $false -SignInRatePerSecond 50
        Reset-TenantJournal $Big
    }

    It 'server-side: follows @odata.nextLink through every page' {
        $BigTruth.Count | Should -BeGreaterThan 1000 -Because 'the data must span pages'
        $got = @(Get-OutlookQrSigninEvidence -Session $BigSession)
        $got.Count | Should -Be $BigTruth.Count
        Sorted $got.Id | Should -Be (Sorted $BigTruth.id)
        (Get-BigPage).Count | Should -Be ([Math]::Ceiling($BigTruth.Count / 1000))
    }

    It 'client-side: pages through every Outlook mobile sign-in and keeps the same events' {
        Set-TenantSetting $Big -RefuseTransferMethodFilter $true
        $got = @(Get-OutlookQrSigninEvidence -Session $BigSession -WarningAction SilentlyContinue)
        Sorted $got.Id | Should -Be (Sorted $BigTruth.id)
        (Get-BigPage).Count | Should -BeGreaterOrEqual ([Math]::Ceiling($BigOutlook.Count / 1000))
        (Get-BigPage).Count | Should -BeGreaterThan ([Math]::Ceiling($BigTruth.Count / 1000)) -Because 'the narrower server-side filter reads more'
    }

    It 'shows a progress bar while pages arrive, and completes it' {
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$($env:OQG_MODULE_PATH)'; Get-OutlookQrSigninEvidence -Session `$args[0] | Measure-Object").AddArgument($BigSession)
        $count = @($ps.Invoke())[0].Count
        $progress = @($ps.Streams.Progress | Where-Object Activity -EQ 'Get-OutlookQrSigninEvidence')
        $ps.Dispose()
        $count | Should -Be $BigTruth.Count
        @($progress | Where-Object RecordType -EQ 'Processing').Count | Should -BeGreaterOrEqual 1
        $progress[-1].RecordType | Should -Be 'Completed'
        ($progress | Where-Object RecordType -EQ 'Processing' | Select-Object -First 1).StatusDescription | Should -Match '1,000|1000'
    }

    It 'Select-Object -First stops the listing: no page is read after the pipeline stops' {
        Set-TenantSetting $Big -RefuseTransferMethodFilter $true
        $first = @(Get-OutlookQrSigninEvidence -Session $BigSession -WarningAction SilentlyContinue | Select-Object -First 1)
        $first.Count | Should -Be 1
        $afterStop = @(Get-TenantRequest $Big 'GraphSignIns').Count
        $afterStop | Should -BeLessThan ([Math]::Ceiling($BigOutlook.Count / 1000) + 1) -Because 'the listing must not have read on to the end'
        Start-Sleep -Milliseconds 700
        @(Get-TenantRequest $Big 'GraphSignIns').Count | Should -Be $afterStop
        # The engine is still usable afterwards.
        @(Get-OutlookQrSigninEvidence -Session $BigSession -InteractiveOnly -WarningAction SilentlyContinue).Count | Should -BeGreaterThan 0
    }
}

Describe 'Get-OutlookQrSigninEvidence: refusals' {
    BeforeEach { Reset-Tenant }
    AfterEach { Set-TenantSetting $Tenant -Premium $true }

    It 'a tenant without Entra ID P1: an error that names the licence; Exchange still works' {
        Set-TenantSetting $Tenant -Premium $false
        $e = Get-Failure { Get-OutlookQrSigninEvidence -ErrorAction Stop }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.PermissionDenied.Authentication_RequestFromNonPremiumTenantOrB2CTenant,*'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'P1'
        $e.Exception.Message | Should -Match 'Revoke-OutlookMobileSignin' -Because 'it says what still works without the licence'
        @(Get-OutlookMobileDevice).Count | Should -BeGreaterThan 0
    }

    It 'an app without AuditLog.Read.All: an error that names the permission' -Tag 'BadInput' {
        $s = Connect-TestTenant $Tenant -App exchangeOnlyApp
        try {
            $e = Get-Failure { Get-OutlookQrSigninEvidence -Session $s -ErrorAction Stop }
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.Exception.Message | Should -Match 'AuditLog\.Read\.All'
        }
        finally { Disconnect-OutlookQrGuard -Session $s; $script:Session = Connect-TestTenant $Tenant }  # the main session current again
    }

    It 'an empty time window is refused before any request: <Name>' -ForEach @(
        @{ Name = '-Until before -Since'; Window = { @{ Since = (Get-Date); Until = (Get-Date).AddDays(-1) } } }
        @{ Name = '-Until alone, before the default start 30 days ago'; Window = { @{ Until = (Get-Date).AddDays(-40) } } }
    ) {
        $window = & $Window
        $e = Get-Failure { Get-OutlookQrSigninEvidence @window -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.InvalidArgument.InvalidTimeWindow,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match '-Until'
        (Get-SigninRequest).Count | Should -Be 0
    }
}

Describe 'Evidence piped into Revoke-OutlookMobileSignin' {
    BeforeEach { Reset-Tenant }

    It 'revokes each user with transfer sign-ins once, however many events they have' {
        $users = Sorted ($Truth.userId | Select-Object -Unique)
        $users.Count | Should -BeLessThan $Truth.Count -Because 'users must have several events for the dedupe to be tested'
        $results = @(Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin -Confirm:$false)
        $results.Count | Should -Be $users.Count
        @($results | Where-Object Status -NE 'Revoked').Count | Should -Be 0
        $revocations = @((Get-TenantJournal $Tenant).revocations)
        Sorted $revocations.userId | Should -Be $users
    }

    It '-WhatIf revokes nothing' {
        Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin -WhatIf
        @((Get-TenantJournal $Tenant).revocations).Count | Should -Be 0
    }
}

Describe 'Export-OutlookMobileDevice -IncludeSigninEvidence' {
    BeforeAll {
        Reset-Tenant
        $script:Dir = Join-Path $TestDrive 'evidence'
        $null = New-Item -ItemType Directory $Dir
        $script:Plain = Join-Path $Dir 'plain.csv'
        $script:WithEvidence = Join-Path $Dir 'evidence.csv'
        Export-OutlookMobileDevice -Path $Plain -Quiet
        $script:Summary = (Export-OutlookMobileDevice -Path $WithEvidence -IncludeSigninEvidence 6>&1 | Out-String)
        $script:PlainRows = @(Import-Csv $Plain)
        $script:EvidenceRows = @(Import-Csv $WithEvidence)
        # Ground truth per device: its mailbox's user, and that user's transfer sign-ins.
        function script:Get-ExpectedEvidence($Row, [object[]] $Events) {
            $mailbox = $Mailboxes | Where-Object Name -EQ (($Row.Identity -split '\\', 2)[0] -replace "^'(?=[=+\-@])", '') | Select-Object -First 1
            $mine = @($Events | Where-Object userId -EQ $mailbox.ExternalDirectoryObjectId | ForEach-Object { ConvertTo-Utc $_.createdDateTime } | Sort-Object)
            if ($mine.Count -eq 0) { return @{ TransferSignInCount = '0'; TransferFirstSignIn = ''; TransferLastSignIn = '' } }
            @{ TransferSignInCount = "$($mine.Count)"; TransferFirstSignIn = $mine[0].ToString([cultureinfo]::CurrentCulture); TransferLastSignIn = $mine[-1].ToString([cultureinfo]::CurrentCulture) }
        }
    }

    It 'has the default columns, then TransferSignInCount, TransferFirstSignIn, TransferLastSignIn' {
        $header = ([IO.File]::ReadAllLines($WithEvidence)[0]).TrimStart([char]0xFEFF)
        $header | Should -BeExactly ((@($DefaultHeader) + $EvidenceColumns | ForEach-Object { "`"$_`"" }) -join ',')
    }

    It 'follows -Layout ExchangeOnlineManagement too: its 41 columns, then the three' {
        $path = Join-Path $Dir 'module-evidence.csv'
        Export-OutlookMobileDevice -Path $path -Layout ExchangeOnlineManagement -IncludeSigninEvidence -Quiet
        $cells = ([IO.File]::ReadAllLines($path)[0]).TrimStart([char]0xFEFF) -split ','
        $cells.Count | Should -Be 44
        $cells[40] | Should -BeExactly '"UserDisplayNameNew"'
        $cells[41..43] | Should -Be ($EvidenceColumns | ForEach-Object { "`"$_`"" })
    }

    It 'keeps every default value of every row exactly as the export without the switch' {
        $EvidenceRows.Count | Should -Be $PlainRows.Count
        $wrong = for ($i = 0; $i -lt $PlainRows.Count; $i++) {
            foreach ($p in $DefaultHeader) { if ($EvidenceRows[$i].$p -cne $PlainRows[$i].$p) { "row $i $p" } }
        }
        $wrong -join ', ' | Should -BeNullOrEmpty
    }

    It 'marks each device whose owner has transfer sign-ins with the count, first and last, as the seeded log has them' {
        $wrong = foreach ($row in $EvidenceRows) {
            $want = Get-ExpectedEvidence $row $Truth
            foreach ($k in $EvidenceColumns) { if ($row.$k -cne $want[$k]) { "$($row.DeviceId).$k = '$($row.$k)', want '$($want[$k])'" } }
        }
        $wrong -join "`n" | Should -BeNullOrEmpty
        $marked = @($EvidenceRows | Where-Object { $_.TransferSignInCount -ne '0' })
        $marked.Count | Should -BeGreaterThan 0 -Because 'the seed gives some device owners QR sign-ins'
        $marked.Count | Should -BeLessThan $EvidenceRows.Count -Because 'and others none'
        $Summary | Should -Match ('\b{0:N0}\b' -f $marked.Count)
        # The users figure counts every user with transfer sign-ins in the window.
        $Summary | Should -Match ('\b{0:N0}\b' -f @($Truth.userId | Select-Object -Unique).Count)
    }

    It '-EvidenceSince narrows the window of the sign-ins counted' {
        $since = [datetime]::UtcNow.AddDays(-7)
        $path = Join-Path $Dir 'week.csv'
        Export-OutlookMobileDevice -Path $path -IncludeSigninEvidence -EvidenceSince $since -Quiet
        $week = @(Get-TenantTransferSignin $Tenant -Since $since)
        $week.Count | Should -BeLessThan $Truth.Count -Because 'the seed spreads sign-ins over 30 days'
        $wrong = foreach ($row in @(Import-Csv $path)) {
            $want = Get-ExpectedEvidence $row $week
            foreach ($k in $EvidenceColumns) { if ($row.$k -cne $want[$k]) { "$($row.DeviceId).$k = '$($row.$k)', want '$($want[$k])'" } }
        }
        $wrong -join "`n" | Should -BeNullOrEmpty
    }

    It '-EvidenceSince without the switch is refused, and no file is written' {
        $path = Join-Path $Dir 'refused.csv'
        $e = Get-Failure { Export-OutlookMobileDevice -Path $path -EvidenceSince (Get-Date).AddDays(-3) -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.EvidenceSinceNeedsSwitch,*'
        Test-Path $path | Should -BeFalse
    }

    It 'without Entra ID P1 the export with evidence fails naming the licence and leaves no file; without the switch it still works' {
        Set-TenantSetting $Tenant -Premium $false
        try {
            $path = Join-Path $Dir 'nop1.csv'
            $e = Get-Failure { Export-OutlookMobileDevice -Path $path -IncludeSigninEvidence -Quiet -ErrorAction Stop }
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.Exception.Message | Should -Match 'P1'
            Test-Path $path | Should -BeFalse
            @(Get-ChildItem $Dir -Filter '*.tmp').Count | Should -Be 0
            Export-OutlookMobileDevice -Path $path -Quiet
            [IO.File]::ReadAllBytes($path).Length | Should -Be ([IO.File]::ReadAllBytes($Plain).Length)
        }
        finally { Set-TenantSetting $Tenant -Premium $true }
    }

    It 'says so in Japanese under a ja-JP UI culture' {
        $run = Invoke-TenantChildScript $Tenant "try { Export-OutlookMobileDevice -Path ./x.csv -EvidenceSince (Get-Date) } catch { `$_.Exception.Message }" -UICulture ja-JP
        $run.Text | Should -Match '-IncludeSigninEvidence と一緒に'
    }
}

Describe 'Get-OutlookQrGuardReport: both layers and the evidence' {
    BeforeEach { Reset-Tenant; Reset-TenantCaPolicy $Tenant }
    AfterAll { Reset-TenantCaPolicy $Tenant; Set-TenantSetting $Tenant -Premium $true }

    It 'JSON: the verdict over both layers, the blocking policy, and the transfer sign-ins per user as the log has them' {
        $null = Block-OutlookAuthenticationTransfer -Confirm:$false -WarningAction SilentlyContinue
        $report = Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
        $report.verdict | Should -Be 'ReportOnly'
        $report.conditionalAccess.state | Should -Be 'ReportOnly'
        @($report.conditionalAccess.policies).Count | Should -Be 1
        $report.evidence.available | Should -BeTrue
        $report.evidence.signins | Should -Be $Truth.Count
        $report.evidence.users | Should -Be @($Truth.userId | Select-Object -Unique).Count
        $report.outlookMobileDevices | Should -Be @(Get-TenantSeededDeviceList $Tenant -Model 'Outlook for iOS and Android').Count
        ($report.recommendations -join ' ') | Should -Match 'Get-OutlookQrSigninEvidence'
    }

    It 'HTML: a manager reads the Conditional Access state and the evidence on the page' {
        $null = Block-OutlookAuthenticationTransfer -Enforce -ExcludeGroup 'Break Glass Accounts' -Confirm:$false -WarningAction SilentlyContinue
        $html = Get-OutlookQrGuardReport
        $html | Should -Match 'Conditional Access'
        $html | Should -Match 'BlockedWithExclusions'
        $html | Should -Match 'Break Glass Accounts'
        $top = $Truth | Group-Object userPrincipalName | Sort-Object Count -Descending | Select-Object -First 1
        $html | Should -Match ([regex]::Escape([System.Net.WebUtility]::HtmlEncode($top.Name)))
        $html | Should -Match ([regex]::Escape("$($Truth.Count) time(s)"))
    }

    It 'without Entra ID P1 the Exchange half is still reported, and each Entra half says why it is missing' {
        Set-TenantSetting $Tenant -Premium $false
        $report = Get-OutlookQrGuardReport -Format Json -WarningAction SilentlyContinue | ConvertFrom-Json
        $report.promptEnabled | Should -Not -BeNullOrEmpty
        $report.outlookMobileDevices | Should -BeGreaterThan 0
        $report.conditionalAccess.state | Should -Be 'Unknown'
        $report.conditionalAccess.reason | Should -Match 'P1'
        $report.evidence.available | Should -BeFalse
        $report.evidence.reason | Should -Match 'P1'
    }
}
