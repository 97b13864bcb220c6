# Export-OutlookMobileDevice against the tenant emulator: the CSV is compared with the seeded
# ground truth, and every refusal must leave the file system as it was.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    # Seed 5: formula-like FriendlyNames, a name with CR/LF, quotes, users whose names start with = + - @.
    $script:Tenant = Start-TestTenant -Users 40 -Devices 120 -Seed 5
    $script:Session = Connect-TestTenant $Tenant
    $script:OutlookSeeded = @(Get-TenantSeededDeviceList $Tenant -Model 'Outlook for iOS and Android')
    $script:Mailboxes = @(Get-TenantSeededMailbox $Tenant)
    # The two layouts (../shared/docs/exchange-admin-rest.md, Get-MobileDevice, CORRECTED 2026-12-06).
    # RemotePowerShell, the default: what the procedure's remote session exported, remoting columns
    # first, the 38 properties in that session's order (Guid after Identity), UserDisplayNameNew.
    $script:RemoteProperties = @('FriendlyName', 'DeviceId', 'DeviceImei', 'DeviceMobileOperator', 'DeviceOS', 'DeviceOSLanguage',
        'DeviceTelephoneNumber', 'DeviceType', 'DeviceUserAgent', 'DeviceModel', 'FirstSyncTime', 'UserDisplayName',
        'DeviceAccessState', 'DeviceAccessStateReason', 'DeviceAccessControlRule', 'ClientVersion', 'ClientType', 'IsManaged',
        'IsCompliant', 'IsDisabled', 'AdminDisplayName', 'ExchangeVersion', 'Name', 'DistinguishedName', 'Identity', 'Guid',
        'ObjectCategory', 'ObjectClass', 'WhenChanged', 'WhenCreated', 'WhenChangedUTC', 'WhenCreatedUTC', 'ExchangeObjectId',
        'OrganizationId', 'Id', 'OriginatingServer', 'IsValid', 'ObjectState')
    $script:Header = @('PSComputerName', 'RunspaceId', 'PSShowComputerName') + $RemoteProperties + 'UserDisplayNameNew'
    # ExchangeOnlineManagement: today's module, the 40 REST properties in the service's order.
    $script:ModuleHeader = @('FriendlyName', 'DeviceId', 'DeviceImei', 'DeviceMobileOperator', 'DeviceOS', 'DeviceOSLanguage',
        'DeviceTelephoneNumber', 'DeviceType', 'DeviceUserAgent', 'DeviceModel', 'FirstSyncTime', 'UserDisplayName',
        'DeviceAccessState', 'DeviceAccessStateReason', 'DeviceAccessControlRule', 'ClientVersion', 'ClientType', 'IsManaged',
        'IsCompliant', 'IsDisabled', 'AdminDisplayName', 'ExchangeVersion', 'DirectoryObjectVersion', 'Name', 'DistinguishedName',
        'Identity', 'ObjectCategory', 'ObjectClass', 'WhenChanged', 'WhenCreated', 'WhenChangedUTC', 'WhenCreatedUTC',
        'ExchangeObjectId', 'OrganizationalUnitRoot', 'OrganizationId', 'Id', 'Guid', 'OriginatingServer', 'IsValid', 'ObjectState',
        'UserDisplayNameNew')
    # PSComputerName is the Exchange host of the session: here the emulator's.
    $script:ExchangeHost = ([uri] $Tenant.BaseUrl).Host
    $script:Cp932 = [Text.Encoding]::GetEncoding(932, [Text.EncoderFallback]::ExceptionFallback, [Text.DecoderFallback]::ExceptionFallback)

    function script:New-ExportFolder {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $dir
        $dir
    }

    function script:Read-Csv([string] $Path, [Text.Encoding] $Encoding = [Text.Encoding]::UTF8) {
        [IO.File]::ReadAllText($Path, $Encoding) | ConvertFrom-Csv
    }

    # Every difference between CSV rows and seeded devices: '' when they agree.
    function script:Compare-CsvWithSeeded([object[]] $Rows, [object[]] $Seeded, [bool] $Neutralised = $true, [cultureinfo] $Culture = [cultureinfo]::CurrentCulture, [string[]] $Columns = $Header) {
        $truth = @{}
        # One GUID per connection: every row carries the same one.
        $runspace = if ($Columns -contains 'RunspaceId') { $Rows[0].RunspaceId }
        foreach ($s in $Seeded) { $truth[$s.DeviceId] = $s }
        $wrong = [Collections.Generic.List[string]]::new()
        foreach ($row in $Rows) {
            $id = $row.DeviceId
            $s = $truth[$id]
            if ($null -eq $s) { $wrong.Add("unexpected row $id"); continue }
            foreach ($p in $Columns) {
                $want = switch ($p) {
                    'PSComputerName' { $ExchangeHost }
                    'RunspaceId' { $runspace }
                    'PSShowComputerName' { 'False' }
                    'UserDisplayNameNew' { $s.Identity.Substring(0, $s.Identity.IndexOf('\')) }
                    'ObjectClass' { @($s.ObjectClass) -join ' ' }
                    default { $s.$p }
                }
                if ($want -is [datetime]) { $want = $want.ToUniversalTime().ToString($Culture) }
                elseif ($want -is [bool]) { $want = "$want" }
                elseif ($null -eq $want) { $want = '' }
                elseif ($Neutralised -and $want -match '^[\t\r]|^[ \u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]') { $want = "'" + $want }
                if ($row.$p -cne $want) { $wrong.Add("$id.$p = '$($row.$p)', want '$want'") }
            }
        }
        $wrong -join "`n"
    }

    function script:Get-Failure([scriptblock] $Script) { try { & $Script; $null } catch { $_ } }
    function script:Get-Leftover([string] $Dir) { @(Get-ChildItem -Force -LiteralPath $Dir -Recurse | Where-Object Name -Like '*.tmp') }
    function script:Get-ExchangeRequestCount { @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ 'ExchangeInvokeCommand').Count }
}
AfterAll {
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Export-OutlookMobileDevice: the CSV' {
    BeforeAll {
        $script:Dir = New-ExportFolder
        $script:Default = Join-Path $Dir 'devices.csv'
        Export-OutlookMobileDevice -Path $Default -Quiet
        $script:DefaultBytes = [IO.File]::ReadAllBytes($Default)
        $script:DefaultRows = @(Read-Csv $Default)
    }

    It 'starts with the UTF-8 byte order mark by default' {
        $DefaultBytes[0..2] | Should -Be @(0xEF, 0xBB, 0xBF)
    }

    It 'has the procedure''s header by default: PSComputerName, RunspaceId, PSShowComputerName, the 38 remote-session properties, UserDisplayNameNew' {
        $text = [Text.Encoding]::UTF8.GetString($DefaultBytes, 3, $DefaultBytes.Length - 3)
        $firstLine = ($text -split "`r?`n", 2)[0]
        $firstLine | Should -BeExactly ((@($Header) | ForEach-Object { "`"$_`"" }) -join ',')
        $Header.Count | Should -Be 42
    }

    It 'puts UserDisplayName in column O and UserDisplayNameNew in column AP, as the procedure tells the admin' {
        $cells = ([Text.Encoding]::UTF8.GetString($DefaultBytes, 3, $DefaultBytes.Length - 3) -split "`r?`n", 2)[0] -split ','
        $cells[14] | Should -BeExactly '"UserDisplayName"' -Because 'O is the 15th column'
        $cells[41] | Should -BeExactly '"UserDisplayNameNew"' -Because 'AP is the 42nd column'
        $cells.Count | Should -Be 42
    }

    It 'fills the remoting columns as a remote session would: the Exchange host, one RunspaceId GUID per connection, PSShowComputerName False' {
        $runspace = $DefaultRows[0].RunspaceId
        [guid]::TryParse($runspace, [ref] [guid]::Empty) | Should -BeTrue
        $runspace | Should -BeExactly ([guid] $runspace).ToString()
        @($DefaultRows | Where-Object RunspaceId -CNE $runspace).Count | Should -Be 0
        @($DefaultRows | Where-Object PSComputerName -CNE $ExchangeHost).Count | Should -Be 0
        @($DefaultRows | Where-Object PSShowComputerName -CNE 'False').Count | Should -Be 0
        # The same connection exports with the same RunspaceId again.
        $again = Join-Path $Dir 'again.csv'
        Export-OutlookMobileDevice -Path $again -Quiet
        @(Read-Csv $again)[0].RunspaceId | Should -BeExactly $runspace
    }

    It '-Layout ExchangeOnlineManagement writes the 40 REST properties in the service''s order, then UserDisplayNameNew, every value right' {
        $path = Join-Path $Dir 'module.csv'
        Export-OutlookMobileDevice -Path $path -Layout ExchangeOnlineManagement -Quiet
        $bytes = [IO.File]::ReadAllBytes($path)
        $firstLine = ([Text.Encoding]::UTF8.GetString($bytes, 3, $bytes.Length - 3) -split "`r?`n", 2)[0]
        $firstLine | Should -BeExactly ((@($ModuleHeader) | ForEach-Object { "`"$_`"" }) -join ',')
        $ModuleHeader.Count | Should -Be 41
        Compare-CsvWithSeeded @(Read-Csv $path) $OutlookSeeded -Columns $ModuleHeader | Should -BeNullOrEmpty
    }

    It '-Layout refuses a name it does not know, writing nothing' -Tag 'BadInput' {
        $path = Join-Path $Dir 'bad-layout.csv'
        { Export-OutlookMobileDevice -Path $path -Layout Rest -Quiet } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OutlookQrGuard.Cmdlets.ExportOutlookMobileDeviceCommand'
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'has one row per seeded Outlook device, with every value (quotes, CR/LF inside quotes, dates in the current culture)' {
        $DefaultRows.Count | Should -Be $OutlookSeeded.Count
        @($DefaultRows.DeviceId | Sort-Object) | Should -Be @($OutlookSeeded.DeviceId | Sort-Object)
        @($OutlookSeeded | Where-Object { $_.FriendlyName -match "[`r`n]" }).Count | Should -BeGreaterThan 0 -Because 'the seed must hold a name with a line break'
        @($OutlookSeeded | Where-Object { $_.FriendlyName -match '"' }).Count | Should -BeGreaterThan 0 -Because 'the seed must hold a name with a quote'
        Compare-CsvWithSeeded $DefaultRows $OutlookSeeded | Should -BeNullOrEmpty
    }

    # Real Export-Csv on the same objects. For the procedure's layout the test adds the remoting
    # columns the way a remote session adds them to every object (PSComputerName a string,
    # RunspaceId a Guid, PSShowComputerName a Boolean), with this connection's values.
    It 'is byte for byte what Select-Object | Export-Csv -NoTypeInformation writes in the <Layout> layout (no formula protection, ObjectClass joined)' -ForEach @(
        @{ Layout = 'RemotePowerShell' }, @{ Layout = 'ExchangeOnlineManagement' }
    ) {
        $ours = Join-Path $Dir "ours-$Layout.csv"
        $theirs = Join-Path $Dir "theirs-$Layout.csv"
        Export-OutlookMobileDevice -Path $ours -Layout $Layout -NoFormulaProtection -Quiet
        $columnNames = if ($Layout -eq 'RemotePowerShell') { $Header } else { $ModuleHeader }
        $runspace = if ($Layout -eq 'RemotePowerShell') { [guid] @(Read-Csv $ours)[0].RunspaceId }
        $columns = foreach ($p in $columnNames) {
            switch ($p) {
                'PSComputerName' { @{ n = 'PSComputerName'; e = { $ExchangeHost } } }
                'RunspaceId' { @{ n = 'RunspaceId'; e = { $runspace } } }
                'PSShowComputerName' { @{ n = 'PSShowComputerName'; e = { $false } } }
                'ObjectClass' { @{ n = 'ObjectClass'; e = { if ($_.ObjectClass) { "$($_.ObjectClass)" } else { $null } } } }
                'UserDisplayNameNew' { @{ n = 'UserDisplayNameNew'; e = { ($_.Identity -split '\\')[0] } } }
                default { $p }
            }
        }
        Get-OutlookMobileDevice | Select-Object $columns | Export-Csv -LiteralPath $theirs -NoTypeInformation -Encoding utf8BOM
        $a = [IO.File]::ReadAllBytes($ours)
        $b = [IO.File]::ReadAllBytes($theirs)
        $a.Length | Should -Be $b.Length
        [Convert]::ToBase64String($a) | Should -BeExactly ([Convert]::ToBase64String($b))
    }

    It 'neutralises formulas: values starting with = + - @ get a leading apostrophe' {
        $risky = @($OutlookSeeded | Where-Object { $_.FriendlyName -match '^[=+\-@]' -or $_.Identity -match '^[=+\-@]' })
        $risky.Count | Should -BeGreaterThan 0 -Because 'the seed must hold formula-like values'
        foreach ($s in $risky) {
            $row = $DefaultRows | Where-Object DeviceId -EQ $s.DeviceId
            foreach ($p in 'FriendlyName', 'Identity', 'Id', 'UserDisplayNameNew') {
                if ($row.$p -match '^[=+\-@]') { throw "$($s.DeviceId).$p is not neutralised: $($row.$p)" }
            }
        }
        @($DefaultRows | Where-Object { $_.FriendlyName -like "'=*" }).Count | Should -BeGreaterThan 0
    }

    It '-NoFormulaProtection keeps the values as they are' {
        $path = Join-Path $Dir 'raw.csv'
        Export-OutlookMobileDevice -Path $path -NoFormulaProtection -Quiet
        $rows = @(Read-Csv $path)
        Compare-CsvWithSeeded $rows $OutlookSeeded -Neutralised $false | Should -BeNullOrEmpty
        @($rows | Where-Object { $_.FriendlyName -like '=*' }).Count | Should -BeGreaterThan 0
    }

    It '-Encoding unicode writes UTF-16LE with its byte order mark' {
        $path = Join-Path $Dir 'utf16.csv'
        Export-OutlookMobileDevice -Path $path -Encoding unicode -Quiet
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0..1] | Should -Be @(0xFF, 0xFE)
        $bytes[2..3] | Should -Be @([byte][char]'"', 0)
        $rows = @(Read-Csv $path ([Text.Encoding]::Unicode))
        Compare-CsvWithSeeded $rows $OutlookSeeded | Should -BeNullOrEmpty
        $rows.Count | Should -Be $OutlookSeeded.Count
    }

    It '-Encoding <Name> writes UTF-8 without a byte order mark' -ForEach @(@{ Name = 'utf8NoBOM' }, @{ Name = 'utf8' }) {
        $path = Join-Path $Dir "$Name.csv"
        Export-OutlookMobileDevice -Path $path -Encoding $Name -Quiet
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0] | Should -Be ([byte][char]'"')
        [Convert]::ToBase64String($bytes) | Should -BeExactly ([Convert]::ToBase64String($DefaultBytes, 3, $DefaultBytes.Length - 3)) -Because 'same text as the default export, minus the BOM'
    }

    It '-Encoding shift_jis: a Japanese user''s devices decode with code page 932 and keep the name' {
        $japanese = $OutlookSeeded | Where-Object {
            $name = ($_.Identity -split '\\')[0]
            $name -match '\p{IsCJKUnifiedIdeographs}' -and -not ($OutlookSeeded | Where-Object Identity -Like "$name\*" | ForEach-Object { $_.PSObject.Properties.Value } | Where-Object { $_ -is [string] } | Where-Object { try { $null = $Cp932.GetBytes($_); $false } catch { $true } })
        } | Select-Object -First 1
        $japanese | Should -Not -BeNullOrEmpty -Because 'the seed must give a Japanese user whose devices CP932 can encode'
        $name = ($japanese.Identity -split '\\')[0]
        $upn = ($Mailboxes | Where-Object Name -EQ $name).UserPrincipalName
        $path = Join-Path $Dir 'sjis.csv'
        Export-OutlookMobileDevice -Path $path -Encoding shift_jis -UserPrincipalName $upn -Quiet
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0] | Should -Be ([byte][char]'"') -Because 'Shift_JIS has no byte order mark'
        $text = $Cp932.GetString($bytes) # throws on bytes that are not CP932
        $text | Should -Match ([regex]::Escape($name))
        $rows = @($text | ConvertFrom-Csv)
        $expected = @($OutlookSeeded | Where-Object Identity -Like "$name\*")
        $rows.Count | Should -Be $expected.Count
        Compare-CsvWithSeeded $rows $expected | Should -BeNullOrEmpty
    }

    It '-Encoding shift_jis refuses a name CP932 cannot hold: the error names the device and the character, and no file is left' -Tag 'BadInput' {
        $bad = foreach ($s in $OutlookSeeded) {
            foreach ($p in $s.PSObject.Properties) {
                if ($p.Value -is [string]) { try { $null = $Cp932.GetBytes($p.Value) } catch { $s; break } }
            }
        }
        @($bad).Count | Should -BeGreaterThan 0 -Because 'the seed holds Korean/Chinese/Arabic names'
        $dir = New-ExportFolder
        $path = Join-Path $dir 'sjis-all.csv'
        $err = { Export-OutlookMobileDevice -Path $path -Encoding shift_jis -Quiet } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.*'
        $err.Exception.Message | Should -Match 'U\+[0-9A-F]{4}'
        $err.Exception.Message | Should -Match 'UTF-8'
        $identities = @($bad | ForEach-Object Identity)
        @($identities | Where-Object { $err.Exception.Message.Contains($_) }).Count | Should -BeGreaterThan 0 -Because "the message names the device: $($err.Exception.Message)"
        Test-Path -LiteralPath $path | Should -BeFalse
        Get-Leftover $dir | Should -BeNullOrEmpty
    }

    It 'prints dates in the current culture (ja-JP: yyyy/MM/dd, de-DE: dd.MM.yyyy)' -ForEach @(@{ Culture = 'ja-JP'; Pattern = '^\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2}$' }, @{ Culture = 'de-DE'; Pattern = '^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$' }) {
        $path = Join-Path $Dir "dates-$Culture.csv"
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Module, $Path, $Session, $Culture)
                    [cultureinfo]::CurrentCulture = $Culture
                    Import-Module $Module
                    Export-OutlookMobileDevice -Path $Path -Session $Session -Quiet
                }).AddArgument($env:OQG_MODULE_PATH).AddArgument($path).AddArgument($Session).AddArgument($Culture)
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
        $rows = @(Read-Csv $path)
        $rows[0].FirstSyncTime | Should -Match $Pattern
        Compare-CsvWithSeeded $rows $OutlookSeeded -Culture $Culture | Should -BeNullOrEmpty
    }
}

Describe 'Export-OutlookMobileDevice: files and folders' {
    BeforeEach {
        $script:Dir = New-ExportFolder
        Reset-TenantJournal $Tenant
    }

    It 'refuses to replace an existing file without -Force (OutlookQrGuard.AlreadyExists), leaving it untouched' -Tag 'BadInput' {
        $path = Join-Path $Dir 'existing.csv'
        Set-Content -LiteralPath $path -Value 'keep me' -NoNewline
        $err = { Export-OutlookMobileDevice -Path $path -Quiet } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.AlreadyExists*'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -Match ([regex]::Escape($path))
        Get-Content -Raw -LiteralPath $path | Should -BeExactly 'keep me'
        Get-Leftover $Dir | Should -BeNullOrEmpty
        Get-ExchangeRequestCount | Should -Be 0 -Because 'the target is checked before any page is fetched'
    }

    It '-Force replaces an existing file' {
        $path = Join-Path $Dir 'existing.csv'
        Set-Content -LiteralPath $path -Value 'old' -NoNewline
        Export-OutlookMobileDevice -Path $path -Force -Quiet
        @(Read-Csv $path).Count | Should -Be $OutlookSeeded.Count
    }

    It '-NoClobber with -Force is refused before anything is written' -Tag 'BadInput' {
        $path = Join-Path $Dir 'both.csv'
        $err = { Export-OutlookMobileDevice -Path $path -Force -NoClobber } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.ForceAndNoClobber*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Test-Path -LiteralPath $path | Should -BeFalse
        Get-ExchangeRequestCount | Should -Be 0
    }

    It 'refuses a folder as -Path, writing nothing into it' -Tag 'BadInput' {
        $err = { Export-OutlookMobileDevice -Path $Dir -Force -Quiet } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.*'
        $err.Exception.Message | Should -Match 'folder'
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
        Test-Path -LiteralPath $Dir -PathType Container | Should -BeTrue
    }

    It 'refuses a missing parent folder without -Force and creates it with -Force' -Tag 'BadInput' {
        $path = Join-Path $Dir 'a/b/devices.csv'
        $err = { Export-OutlookMobileDevice -Path $path -Quiet } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OutlookQrGuard.*'
        $err.Exception.Message | Should -Match 'does not exist'
        Test-Path -LiteralPath (Join-Path $Dir 'a') | Should -BeFalse
        Export-OutlookMobileDevice -Path $path -Force -Quiet
        @(Read-Csv $path).Count | Should -Be $OutlookSeeded.Count
    }

    It 'writes to a Japanese folder and file name (日本語/端末.csv)' -Tag 'BadInput' {
        $path = Join-Path (Join-Path $Dir '日本語') '端末.csv'
        $null = New-Item -ItemType Directory (Join-Path $Dir '日本語')
        $file = Export-OutlookMobileDevice -Path $path -PassThru -Quiet
        $file.FullName | Should -BeExactly $path
        @(Read-Csv $path).Count | Should -Be $OutlookSeeded.Count
    }

    It 'resolves relative and PSDrive paths against the PowerShell location, not the process folder' {
        Push-Location $Dir
        try { Export-OutlookMobileDevice -Path 'relative.csv' -Quiet }
        finally { Pop-Location }
        Test-Path -LiteralPath (Join-Path $Dir 'relative.csv') | Should -BeTrue
        $leaf = "drive-$([guid]::NewGuid().ToString('N')).csv"
        Export-OutlookMobileDevice -Path "TestDrive:/$leaf" -Quiet
        Test-Path -LiteralPath (Join-Path $TestDrive $leaf) | Should -BeTrue
    }

    It '-WhatIf writes nothing and asks nothing of the tenant' {
        $path = Join-Path $Dir 'whatif.csv'
        Export-OutlookMobileDevice -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
        @(Get-ChildItem -Force -LiteralPath $Dir).Count | Should -Be 0
        Get-ExchangeRequestCount | Should -Be 0
    }

    It '-PassThru returns the FileInfo of the CSV' {
        $path = Join-Path $Dir 'passthru.csv'
        $out = @(Export-OutlookMobileDevice -Path $path -PassThru -Quiet)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType [IO.FileInfo]
        $out[0].FullName | Should -BeExactly $path
        $out[0].Length | Should -Be (Get-Item -LiteralPath $path).Length
    }

    It 'returns nothing without -PassThru' {
        @(Export-OutlookMobileDevice -Path (Join-Path $Dir 'quiet.csv') -Quiet).Count | Should -Be 0
    }

    It 'prints a summary line (Information stream, tag PSHOST) unless -Quiet' {
        $path = Join-Path $Dir 'summary.csv'
        $null = Export-OutlookMobileDevice -Path $path -InformationVariable info 6>$null
        $host_ = @($info | Where-Object { $_.Tags -contains 'PSHOST' })
        $host_.Count | Should -Be 1
        "$($host_[0].MessageData)" | Should -Match ([regex]::Escape($path))
        "$($host_[0].MessageData)" | Should -Match ("\b{0}\b" -f $OutlookSeeded.Count)
        $null = Export-OutlookMobileDevice -Path (Join-Path $Dir 'summary2.csv') -Quiet -InformationVariable quiet 6>$null
        @($quiet).Count | Should -Be 0
    }

    It 'keeps an existing file intact when an export with -Force fails midway' {
        $path = Join-Path $Dir 'keep.csv'
        Set-Content -LiteralPath $path -Value 'precious' -NoNewline
        $err = Get-Failure { Export-OutlookMobileDevice -Path $path -Force -Encoding shift_jis -Quiet }
        $err | Should -Not -BeNullOrEmpty -Because 'some seeded names are not in CP932'
        Get-Content -Raw -LiteralPath $path | Should -BeExactly 'precious'
        @(Get-ChildItem -Force -LiteralPath $Dir | ForEach-Object Name) | Should -Be @('keep.csv')
    }

    It 'leaves no temporary file beside the target after an error' {
        $path = Join-Path $Dir 'exists.csv'
        Set-Content -LiteralPath $path -Value 'x'
        { Export-OutlookMobileDevice -Path $path -Quiet } | Should -Throw
        { Export-OutlookMobileDevice -Path (Join-Path $Dir 'sjis.csv') -Encoding shift_jis -Quiet } | Should -Throw
        @(Get-ChildItem -Force -LiteralPath $Dir | ForEach-Object Name) | Should -Be @('exists.csv')
    }
}

Describe 'Export-OutlookMobileDevice: cancellation' {
    BeforeAll {
        # Slow pages: the export is still running when it is stopped.
        $script:Slow = Start-TestTenant -Users 20 -Devices 120 -Seed 5 -ExtraArguments '--page-size', '5', '--page-latency-ms', '200'
        $script:SlowSession = Connect-TestTenant $Slow
        $null = Connect-TestTenant $Tenant # the default session stays the main tenant
    }
    AfterAll { Stop-TestTenant $Slow }

    It 'stops within 2 s when the pipeline is stopped, leaving neither the target nor a temporary file' {
        $dir = New-ExportFolder
        $path = Join-Path $dir 'cancelled.csv'
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Module, $Path, $Session)
                    Import-Module $Module
                    Export-OutlookMobileDevice -Path $Path -Session $Session -AnyDeviceModel -Quiet
                }).AddArgument($env:OQG_MODULE_PATH).AddArgument($path).AddArgument($SlowSession)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1000
            $async.IsCompleted | Should -BeFalse -Because '24 pages of 200 ms take about 5 s'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        Start-Sleep -Milliseconds 300 # nothing may appear late either
        Test-Path -LiteralPath $path | Should -BeFalse
        @(Get-ChildItem -Force -LiteralPath $dir).Count | Should -Be 0 -Because 'no temporary file is left behind'
    }
}

Describe 'Export-OutlookMobileDevice without -IncludeSigninEvidence: unchanged by issue #8' {
    BeforeAll {
        # SHA-256 of exports the engine wrote in the column layouts of issue #13 (item 3), from
        # this file's tenant (-Users 40 -Devices 120 -Seed 5). Made on Linux, where lines end with LF.
        # RunspaceId is a new GUID per connection, so it is set to zeros before hashing.
        $script:Baseline = Get-Content -Raw (Join-Path $PSScriptRoot 'fixtures/export-baseline.json') | ConvertFrom-Json
        $script:BaselineDir = New-ExportFolder

        function script:Get-BaselineHash([string] $Path) {
            $bytes = [IO.File]::ReadAllBytes($Path)
            $encoding = if ($bytes[0] -eq 0xFF -and $bytes[1] -eq 0xFE) { [Text.UnicodeEncoding]::new($false, $true) } else { [Text.UTF8Encoding]::new($true) }
            $preamble = $encoding.GetPreamble()
            $text = $encoding.GetString($bytes, $preamble.Length, $bytes.Length - $preamble.Length)
            $runspace = @($text | ConvertFrom-Csv)[0].RunspaceId
            if ($runspace) { $text = $text.Replace("`"$runspace`"", '"00000000-0000-0000-0000-000000000000"') }
            [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([byte[]] ($preamble + $encoding.GetBytes($text))))
        }
    }

    It 'the fixture was made from this file''s tenant' {
        $Baseline.emulator.users | Should -Be 40
        $Baseline.emulator.devices | Should -Be 120
        $Baseline.emulator.seed | Should -Be 5
        @($Baseline.exports).Count | Should -Be 4
    }

    It '<name> is byte for byte the recorded file' -ForEach @(
        (Get-Content -Raw (Join-Path $PSScriptRoot 'fixtures/export-baseline.json') | ConvertFrom-Json).exports |
            ForEach-Object { @{ name = $_.name; culture = $_.culture; parameters = $_.parameters; bytes = $_.bytes; sha256 = $_.sha256 } }
    ) -Skip:([Environment]::NewLine -ne "`n") {
        $path = Join-Path $BaselineDir "$name.csv"
        $arguments = @{}
        foreach ($p in $parameters.PSObject.Properties) { $arguments[$p.Name] = $p.Value }
        $saved = [cultureinfo]::CurrentCulture
        [cultureinfo]::CurrentCulture = $culture
        try { Export-OutlookMobileDevice -Path $path -Quiet @arguments }
        finally { [cultureinfo]::CurrentCulture = $saved }
        if ($env:OQG_WRITE_EXPORT_BASELINE) {
            # Regeneration (a deliberate format change only): print what to record.
            Write-Host "$name $((Get-Item $path).Length) $(Get-BaselineHash $path)"
        }
        (Get-Item $path).Length | Should -Be $bytes
        Get-BaselineHash $path | Should -Be $sha256
    }
}
