@{
    Synopsis    = 'Lists the Outlook for iOS and Android apps (mobile devices) connected to the tenant''s mailboxes.'
    Description = @'
Get-OutlookMobileDevice lists the mobile device partnerships that Exchange Online holds, as Get-MobileDevice does, and by default only those whose DeviceModel is "Outlook for iOS and Android": the Outlook app on a phone or tablet, which is what the QR-code sign-in connects. Devices are written to the pipeline page by page as Exchange returns them, so the first ones appear at once, memory stays flat in large tenants, and Select-Object -First or Ctrl+C stops fetching further pages.

Each device has the 40 properties today's Get-MobileDevice returns (ExchangeOnlineManagement 3), in the service's order, plus UserDisplayNameNew: the Name of the mailbox that owns the device, which is the part of Identity before the first backslash (Identity reads <mailbox Name>\ExchangeActiveSyncDevices\<device Name>, for example Lila\ExchangeActiveSyncDevices\REST§Outlook§5eec4e941e0748a264512fd83770d5ac). Dates (FirstSyncTime, WhenCreated, WhenChanged …) are in UTC. Export-OutlookMobileDevice writes them in the published procedure's columns by default (see its -Layout). The default table shows UserDisplayNameNew, FriendlyName, DeviceOS, DeviceModel, FirstSyncTime and DeviceAccessState; Format-List * shows everything.

Exchange cannot tell a phone connected through the QR code from one where the user signed in to the Outlook app in the usual way: the list is every Outlook mobile app, which is the set to review or revoke.

It only reads. Pipe the result to Revoke-OutlookMobileSignin to revoke the owners' sessions, or use Export-OutlookMobileDevice to write the same devices to a CSV file.
'@
    Parameters  = @{
        UserPrincipalName = 'Only the devices of this mailbox: a user principal name, an alias or another mailbox identity. By default the devices of all mailboxes are listed. An unknown mailbox is an error.'
        DeviceModel       = 'Only devices with this DeviceModel. The default is "Outlook for iOS and Android". Use another value to look at a different app or phone model.'
        AnyDeviceModel    = 'Lists every ActiveSync device of every model (native mail apps, Windows Mail and so on), not only the Outlook mobile app. Overrides -DeviceModel.'
        ResultSize        = 'The maximum number of devices to return: a positive number, or Unlimited (the default). When more exist, a warning says so.'
        Session           = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'List the Outlook mobile apps connected to the tenant'
            Code    = 'Get-OutlookMobileDevice'
            Remarks = 'One row per app: the mailbox''s display name, the device''s name, OS and model, when it first synced (UTC) and whether Exchange allows it.'
        }
        @{
            Title   = 'Count devices and users'
            Code    = @'
$devices = Get-OutlookMobileDevice
"{0} devices of {1} users" -f $devices.Count, ($devices.UserDisplayNameNew | Sort-Object -Unique).Count
'@
            Remarks = 'A quick size of the clean-up before revoking anything.'
        }
        @{
            Title   = 'Phones that connected recently'
            Code    = 'Get-OutlookMobileDevice | Where-Object FirstSyncTime -gt (Get-Date).ToUniversalTime().AddDays(-30) | Sort-Object FirstSyncTime'
            Remarks = 'Outlook mobile apps whose first sync was in the last 30 days. FirstSyncTime is UTC, so compare it with a UTC time.'
        }
        @{
            Title   = 'One user''s devices'
            Code    = 'Get-OutlookMobileDevice -UserPrincipalName isaiah.langer@contoso.onmicrosoft.com | Format-List *'
            Remarks = 'Every property of that user''s Outlook mobile apps.'
        }
        @{
            Title   = 'Every ActiveSync device, grouped by model'
            Code    = 'Get-OutlookMobileDevice -AnyDeviceModel | Group-Object DeviceModel -NoElement | Sort-Object Count -Descending'
            Remarks = 'Shows which mail clients sync with Exchange, not only Outlook mobile.'
        }
        @{
            Title   = 'Revoke the sessions of everyone with an Outlook mobile app'
            Code    = 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin'
            Remarks = 'One revocation per user, however many devices the user has. Asks before each user; add -WhatIf first to see the list.'
        }
    )
    Notes       = @'
Needs an Exchange Online session with the right to run Get-MobileDevice: the Exchange Administrator role, and Exchange.ManageAsApp for app-only sign-ins.

Exchange Online throttles large listings; the cmdlet waits and retries as the service asks (with -Verbose you see each request). In tenants with hundreds of thousands of devices, prefer Export-OutlookMobileDevice, which writes straight to disk.
'@
    Links       = @('Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin', 'Disable-OutlookQrSignin', 'Test-OutlookQrSignin', 'Get-OutlookQrGuardReport')
}
