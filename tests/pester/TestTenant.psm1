# Test harness: a tenant emulator per test file, and connections to it.
# The emulator is a real HTTPS peer on 127.0.0.1 (tests/tenant-emulator); nothing here mocks it.
Set-StrictMode -Version Latest

function Get-EmulatorExecutable {
    if ($env:OQG_EMULATOR_PATH -and (Test-Path $env:OQG_EMULATOR_PATH)) { return $env:OQG_EMULATOR_PATH }
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $exe = $IsWindows ? 'tenant-emulator.exe' : 'tenant-emulator'
    foreach ($profile in 'release', 'debug') {
        $candidate = Join-Path $root "target/$profile/$exe"
        if (Test-Path $candidate) { return $candidate }
    }
    throw 'tenant-emulator is not built: run build.ps1 -Task Build (or set OQG_EMULATOR_PATH).'
}

<#
.SYNOPSIS
    Starts a seeded tenant emulator on a free loopback port and waits until it listens.
#>
function Start-TestTenant {
    param(
        [int] $Users = 60,
        [int] $Devices = 150,
        [int] $Seed = 7,
        [string[]] $ExtraArguments = @()
    )
    $ready = Join-Path ([IO.Path]::GetTempPath()) "oqg-emulator-$PID-$([guid]::NewGuid().ToString('N')).json"
    $arguments = @('--users', $Users, '--devices', $Devices, '--seed', $Seed, '--port', 0, '--ready-file', $ready, '--ignore-stdin') + $ExtraArguments
    $process = Start-Process -FilePath (Get-EmulatorExecutable) -ArgumentList $arguments -PassThru -RedirectStandardOutput "$ready.out" -RedirectStandardError "$ready.err"
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not (Test-Path $ready) -or -not (Get-Content -Raw $ready -ErrorAction SilentlyContinue)) {
        if ($process.HasExited) { throw "tenant-emulator exited early: $(Get-Content -Raw "$ready.err" -ErrorAction SilentlyContinue)" }
        if ([DateTime]::UtcNow -gt $deadline) { Stop-Process -Id $process.Id -Force; throw 'tenant-emulator did not start within 30 s.' }
        Start-Sleep -Milliseconds 50
    }
    $info = Get-Content -Raw $ready | ConvertFrom-Json
    [pscustomobject]@{
        BaseUrl     = $info.baseUrl
        CaPath      = $info.caCertificatePath
        Credentials = $info.credentials
        # Every tenant of a multi-tenant emulator (--tenants / --tenants-file); one otherwise.
        Tenants     = @($info.tenants)
        Process     = $process
        ReadyFile   = $ready
    }
}

function Stop-TestTenant {
    param([Parameter(Mandatory)] $Tenant)
    if (-not $Tenant.Process.HasExited) { Stop-Process -Id $Tenant.Process.Id -Force -ErrorAction SilentlyContinue }
    Remove-Item -Force -ErrorAction SilentlyContinue $Tenant.ReadyFile, "$($Tenant.ReadyFile).out", "$($Tenant.ReadyFile).err"
}

# The parameters that point the module at the emulator instead of Microsoft 365.
function Get-TenantEndpoint {
    param([Parameter(Mandatory)] $Tenant)
    @{
        AuthorityUri               = $Tenant.BaseUrl
        ExchangeUri                = $Tenant.BaseUrl
        GraphUri                   = $Tenant.BaseUrl
        TrustedRootCertificatePath = $Tenant.CaPath
    }
}

<#
.SYNOPSIS
    Connects the module to the emulator with the seeded client-secret app (or another app).
#>
function Connect-TestTenant {
    param(
        [Parameter(Mandatory)] $Tenant,
        [ValidateSet('secretApp', 'noRoleApp', 'exchangeOnlyApp', 'policyReaderApp', 'revokeOnlyApp')] [string] $App = 'secretApp'
    )
    $endpoint = Get-TenantEndpoint $Tenant
    $credential = $Tenant.Credentials.$App
    $secret = ConvertTo-SecureString $credential.clientSecret -AsPlainText -Force
    Connect-OutlookQrGuard -Organization $Tenant.Credentials.tenantDomain -AppId $credential.clientId -ClientSecret $secret @endpoint
}

# Calls the emulator's control API (journal, faults, device codes).
function Invoke-TenantControl {
    param(
        [Parameter(Mandatory)] $Tenant,
        [Parameter(Mandatory)] [string] $Path,
        [ValidateSet('GET', 'POST')] [string] $Method = 'GET',
        $Body
    )
    $params = @{
        Uri                  = "$($Tenant.BaseUrl)$Path"
        Method               = $Method
        Headers              = @{ 'X-Emulator-Control-Key' = $Tenant.Credentials.controlKey }
        SkipCertificateCheck = $true
    }
    if ($null -ne $Body) {
        $params.Body = ($Body | ConvertTo-Json -Depth 10 -Compress)
        $params.ContentType = 'application/json'
    }
    Invoke-RestMethod @params
}

function Get-TenantJournal {
    param([Parameter(Mandatory)] $Tenant)
    Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/journal'
}

function Reset-TenantJournal {
    param([Parameter(Mandatory)] $Tenant)
    $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/reset-journal' -Method POST
}

function Set-TenantFault {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Rules, [int] $Seed = 1)
    $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/faults' -Method POST -Body @{ seed = $Seed; rules = $Rules }
}

function Clear-TenantFault {
    param([Parameter(Mandatory)] $Tenant)
    Set-TenantFault -Tenant $Tenant -Rules @()
}

# The seeded ground truth: every device the emulator holds (optionally of one model).
function Get-TenantSeededDevice {
    param([Parameter(Mandatory)] $Tenant, [string] $Model)
    $path = '/_emulator/seeded-devices'
    if ($Model) { $path += '?model=' + [uri]::EscapeDataString($Model) }
    # One device per pipeline item (Invoke-RestMethod hands a JSON array on as one object).
    foreach ($device in (Invoke-TenantControl -Tenant $Tenant -Path $path)) { $device }
}

Export-ModuleMember -Function Start-TestTenant, Stop-TestTenant, Get-TenantEndpoint, Connect-TestTenant, Invoke-TenantControl, Get-TenantJournal, Reset-TenantJournal, Set-TenantFault, Clear-TenantFault, Get-TenantSeededDevice

# --- Ground truth beyond devices (added for the device, export and revoke tests) ---

<#
.SYNOPSIS
    An access token straight from the emulator's token endpoint (client credentials), as a plain string.
#>
function Get-TenantAccessToken {
    param(
        [Parameter(Mandatory)] $Tenant,
        [ValidateSet('Exchange', 'Graph')] [string] $Resource = 'Exchange',
        [ValidateSet('secretApp', 'noRoleApp', 'exchangeOnlyApp', 'policyReaderApp', 'revokeOnlyApp')] [string] $App = 'secretApp'
    )
    $scope = $Resource -eq 'Exchange' ? 'https://outlook.office365.com/.default' : 'https://graph.microsoft.com/.default'
    $credential = $Tenant.Credentials.$App
    $reply = Invoke-RestMethod -Method POST -Uri "$($Tenant.BaseUrl)/$($Tenant.Credentials.tenantDomain)/oauth2/v2.0/token" -SkipCertificateCheck -Body @{
        client_id = $credential.clientId; client_secret = $credential.clientSecret; scope = $scope; grant_type = 'client_credentials'
    }
    $reply.access_token
}

<#
.SYNOPSIS
    Every mailbox of the tenant (Name, DisplayName, UserPrincipalName, ExternalDirectoryObjectId …),
    read straight from the emulator's Exchange endpoint. Device Identity starts with the mailbox Name.
    The calls land in the journal: reset it afterwards when a test counts requests.
#>
function Get-TenantSeededMailbox {
    param([Parameter(Mandatory)] $Tenant)
    $token = Get-TenantAccessToken -Tenant $Tenant -Resource Exchange
    $domain = $Tenant.Credentials.tenantDomain
    $headers = @{
        Authorization     = "Bearer $token"
        'X-AnchorMailbox' = "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$domain"
        'X-ResponseFormat' = 'json'
    }
    $body = @{ CmdletInput = @{ CmdletName = 'Get-Mailbox'; Parameters = @{ ResultSize = 'Unlimited' } } } | ConvertTo-Json -Depth 5 -Compress
    $uri = "$($Tenant.BaseUrl)/adminapi/beta/$domain/InvokeCommand"
    while ($uri) {
        $page = Invoke-RestMethod -Method POST -Uri $uri -Headers $headers -Body $body -ContentType 'application/json' -SkipCertificateCheck
        $page.value
        $next = $page.PSObject.Properties['@odata.nextLink']
        $uri = $next ? $next.Value : $null
    }
}

# Removes every fault rule. (Clear-TenantFault cannot: Set-TenantFault's mandatory -Rules refuses @().)
function Reset-TenantFault {
    param([Parameter(Mandatory)] $Tenant)
    $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/faults' -Method POST -Body @{ seed = 1; rules = @() }
}

# The seeded devices, one pipeline object each (Invoke-RestMethod emits the JSON array as one object).
function Get-TenantSeededDeviceList {
    param([Parameter(Mandatory)] $Tenant, [string] $Model)
    Get-TenantSeededDevice @PSBoundParameters | ForEach-Object { $_ }
}

# The mailbox Name a device belongs to: its Identity before the first backslash.
function Get-DeviceMailboxName {
    param([Parameter(Mandatory, ValueFromPipeline)] $Device)
    process { ($Device.Identity -split '\\', 2)[0] }
}

Export-ModuleMember -Function Get-TenantAccessToken, Get-TenantSeededMailbox, Get-DeviceMailboxName, Reset-TenantFault, Get-TenantSeededDeviceList

# --- Conditional Access, groups and sign-in logs (issue #8): the control API's view of them ---

# The runtime settings: premium (Entra ID P1), refuseTransferMethodFilter, signInRatePerSecond, caPageSize.
# Only the parameters given are sent; the others keep their values.
function Set-TenantSetting {
    param(
        [Parameter(Mandatory)] $Tenant,
        [bool] $Premium,
        [bool] $RefuseTransferMethodFilter,
        [double] $SignInRatePerSecond,
        [int] $CaPageSize
    )
    $body = @{}
    if ($PSBoundParameters.ContainsKey('Premium')) { $body.premium = $Premium }
    if ($PSBoundParameters.ContainsKey('RefuseTransferMethodFilter')) { $body.refuseTransferMethodFilter = $RefuseTransferMethodFilter }
    if ($PSBoundParameters.ContainsKey('SignInRatePerSecond')) { $body.signInRatePerSecond = $SignInRatePerSecond }
    if ($PSBoundParameters.ContainsKey('CaPageSize')) { $body.caPageSize = $CaPageSize }
    $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/settings' -Method POST -Body $body
}

function Get-TenantSetting {
    param([Parameter(Mandatory)] $Tenant)
    Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/settings'
}

# Every stored Conditional Access policy, one pipeline object each, as Graph returns them.
function Get-TenantCaPolicy {
    param([Parameter(Mandatory)] $Tenant)
    foreach ($p in (Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/conditional-access/policies')) { $p }
}

# Stores a policy verbatim (no validation), as if someone else had made it; returns it with its id.
function Add-TenantCaPolicy {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [hashtable] $Policy)
    Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/conditional-access/policies' -Method POST -Body $Policy
}

# Back to the seeded policies (none of which blocks authentication transfer).
function Reset-TenantCaPolicy {
    param([Parameter(Mandatory)] $Tenant)
    $null = Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/conditional-access/reset' -Method POST
}

# A policy that blocks authentication transfer for everyone, the way an admin would make it by hand.
function New-TransferBlockPolicyBody {
    param(
        [string] $DisplayName = 'Block authentication transfer (made by hand)',
        [ValidateSet('enabled', 'enabledForReportingButNotEnforced', 'disabled')] [string] $State = 'enabled',
        [string[]] $ExcludeUsers = @(),
        [string[]] $ExcludeGroups = @(),
        [string[]] $ExcludeRoles = @(),
        [string] $TransferMethods = 'deviceCodeFlow,authenticationTransfer'
    )
    @{
        displayName   = $DisplayName
        state         = $State
        conditions    = @{
            users               = @{ includeUsers = @('All'); excludeUsers = @($ExcludeUsers); excludeGroups = @($ExcludeGroups); excludeRoles = @($ExcludeRoles) }
            applications        = @{ includeApplications = @('All') }
            clientAppTypes      = @('all')
            authenticationFlows = @{ transferMethods = $TransferMethods }
        }
        grantControls = @{ operator = 'OR'; builtInControls = @('block') }
    }
}

# The seeded groups: id, displayName, members (user ids).
function Get-TenantGroup {
    param([Parameter(Mandatory)] $Tenant)
    foreach ($g in (Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/groups')) { $g }
}

# Every seeded sign-in event (beta shape), one pipeline object each.
function Get-TenantSignin {
    param([Parameter(Mandatory)] $Tenant)
    foreach ($e in (Invoke-TenantControl -Tenant $Tenant -Path '/_emulator/signins')) { $e }
}

<#
.SYNOPSIS
    Ground truth for Get-OutlookQrSigninEvidence: the seeded events that started from authentication
    transfer, in a window (default: the last 30 days), optionally one user's or interactive only.
#>
function Get-TenantTransferSignin {
    param(
        [Parameter(Mandatory)] $Tenant,
        [datetime] $Since = [datetime]::UtcNow.AddDays(-30),
        [datetime] $Until = [datetime]::UtcNow.AddMinutes(5),
        [string] $UserPrincipalName,
        [switch] $InteractiveOnly
    )
    $from = $Since.ToUniversalTime()
    $to = $Until.ToUniversalTime()
    Get-TenantSignin $Tenant | Where-Object {
        $at = ([datetime]$_.createdDateTime).ToUniversalTime()
        $_.originalTransferMethod -eq 'authenticationTransfer' -and $at -ge $from -and $at -le $to -and
        (-not $UserPrincipalName -or $_.userPrincipalName -eq $UserPrincipalName -or $_.userId -eq $UserPrincipalName) -and
        (-not $InteractiveOnly -or @($_.signInEventTypes) -contains 'interactiveUser')
    }
}

# The journal's Conditional Access writes (method, policyId, body, status): what the module really sent.
function Get-TenantCaWrite {
    param([Parameter(Mandatory)] $Tenant)
    foreach ($w in @((Get-TenantJournal $Tenant).conditionalAccessWrites)) { $w }
}

# Requests the journal saw for one endpoint class (e.g. GraphSignIns, GraphConditionalAccess).
function Get-TenantRequest {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [string] $Endpoint)
    @((Get-TenantJournal $Tenant).requests | Where-Object endpoint -EQ $Endpoint)
}

Export-ModuleMember -Function Set-TenantSetting, Get-TenantSetting, Get-TenantCaPolicy, Add-TenantCaPolicy, Reset-TenantCaPolicy, New-TransferBlockPolicyBody, Get-TenantGroup, Get-TenantSignin, Get-TenantTransferSignin, Get-TenantCaWrite, Get-TenantRequest

<#
.SYNOPSIS
    Runs a script in a fresh pwsh connected to the tenant and returns its whole output as text.
    For what only reaches the host, such as -WhatIf lines (they are not on any stream).
#>
function Invoke-TenantChildScript {
    param(
        [Parameter(Mandatory)] $Tenant,
        [Parameter(Mandatory)] [string] $Script,
        [ValidateSet('secretApp', 'noRoleApp', 'exchangeOnlyApp', 'policyReaderApp', 'revokeOnlyApp')] [string] $App = 'secretApp',
        [string] $UICulture = 'en-US'
    )
    $pwsh = if ($env:OQG_PWSH) { $env:OQG_PWSH } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    $prelude = @"
`$ErrorActionPreference = 'Stop'
[System.Globalization.CultureInfo]::CurrentUICulture = '$UICulture'
Import-Module '$($env:OQG_MODULE_PATH)'
Import-Module '$(Join-Path $PSScriptRoot 'TestTenant.psm1')'
`$info = Get-Content -Raw '$($Tenant.ReadyFile)' | ConvertFrom-Json
`$Tenant = [pscustomobject]@{ BaseUrl = `$info.baseUrl; CaPath = `$info.caCertificatePath; Credentials = `$info.credentials; ReadyFile = '$($Tenant.ReadyFile)' }
`$null = Connect-TestTenant `$Tenant -App $App

"@
    $out = & $pwsh -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($out | Out-String) }
}

Export-ModuleMember -Function Invoke-TenantChildScript

<#
.SYNOPSIS
    Tenant $Index of a multi-tenant emulator, shaped like Start-TestTenant's result (its own
    credentials and control key), so the helpers above work on that tenant.
#>
function Select-TestTenant {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [int] $Index)
    [pscustomobject]@{
        BaseUrl     = $Tenant.BaseUrl
        CaPath      = $Tenant.CaPath
        Credentials = $Tenant.Tenants[$Index]
        Tenants     = $Tenant.Tenants
        Process     = $Tenant.Process
        ReadyFile   = $Tenant.ReadyFile
    }
}

Export-ModuleMember -Function Select-TestTenant

# Moves a Conditional Access policy's creation (and later changes) $Days into the past, so the
# seeded sign-ins in that span are evaluated against it (appliedConditionalAccessPolicies).
function Set-TenantCaPolicyAge {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [string] $PolicyId, [int] $Days = 40)
    $null = Invoke-TenantControl -Tenant $Tenant -Path "/_emulator/conditional-access/policies/$PolicyId/backdate" -Method POST -Body @{ days = $Days }
}

<#
.SYNOPSIS
    Ground truth for Get-OutlookQrBlockImpact: per user and app, the seeded sign-ins of the last 30
    days whose applied result for one of the policies is reportOnlyFailure.
#>
function Get-TenantBlockImpact {
    param([Parameter(Mandatory)] $Tenant, [Parameter(Mandatory)] [string[]] $PolicyId, [datetime] $Since = [datetime]::UtcNow.AddDays(-30))
    $from = $Since.ToUniversalTime()
    Get-TenantSignin $Tenant | Where-Object {
        ([datetime]$_.createdDateTime).ToUniversalTime() -ge $from -and
        @($_.appliedConditionalAccessPolicies | Where-Object { $_.id -in $PolicyId -and $_.result -eq 'reportOnlyFailure' }).Count -gt 0
    } | Group-Object { "$($_.userId)|$($_.appId)" } | ForEach-Object {
        [pscustomobject]@{ Key = $_.Name; UserId = $_.Group[0].userId; UserPrincipalName = $_.Group[0].userPrincipalName; SignIns = $_.Count }
    }
}

Export-ModuleMember -Function Set-TenantCaPolicyAge, Get-TenantBlockImpact
