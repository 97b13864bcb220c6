@{
    Synopsis    = 'Writes the Outlook for iOS and Android devices connected to the tenant to a CSV file that opens cleanly in Excel.'
    Description = @'
Export-OutlookMobileDevice writes the devices that Get-OutlookMobileDevice would return to a CSV file, streaming each page from Exchange Online straight to disk. The file is what this pipeline writes, without its cost or its pitfalls:

Get-MobileDevice -ResultSize Unlimited | Where-Object DeviceModel -eq 'Outlook for iOS and Android' | Select-Object *, @{ n = 'UserDisplayNameNew'; e = { ($_.Identity -split '\\')[0] } } | Export-Csv -NoTypeInformation -Encoding utf8BOM

Columns (-Layout): by default the file has the 42 columns of the published procedure, whose file came from a remote PowerShell session, so the user is where the procedure says: UserDisplayName in column O and UserDisplayNameNew in column AP.
A PSComputerName, B RunspaceId, C PSShowComputerName, D FriendlyName, E DeviceId, F DeviceImei, G DeviceMobileOperator, H DeviceOS, I DeviceOSLanguage, J DeviceTelephoneNumber, K DeviceType, L DeviceUserAgent, M DeviceModel, N FirstSyncTime, O UserDisplayName, P DeviceAccessState, Q DeviceAccessStateReason, R DeviceAccessControlRule, S ClientVersion, T ClientType, U IsManaged, V IsCompliant, W IsDisabled, X AdminDisplayName, Y ExchangeVersion, Z Name, AA DistinguishedName, AB Identity, AC Guid, AD ObjectCategory, AE ObjectClass, AF WhenChanged, AG WhenCreated, AH WhenChangedUTC, AI WhenCreatedUTC, AJ ExchangeObjectId, AK OrganizationId, AL Id, AM OriginatingServer, AN IsValid, AO ObjectState, AP UserDisplayNameNew.
PSComputerName is the Exchange Online host of the session (outlook.office365.com in the worldwide cloud), RunspaceId one GUID per connection (the same for every row and every export of one Connect-OutlookQrGuard), PSShowComputerName False, as a remote session writes them.
-Layout ExchangeOnlineManagement writes what today's ExchangeOnlineManagement module returns instead: the 40 properties in the service's order, then UserDisplayNameNew (41 columns; UserDisplayName in L, UserDisplayNameNew in AO):
A FriendlyName, B DeviceId, C DeviceImei, D DeviceMobileOperator, E DeviceOS, F DeviceOSLanguage, G DeviceTelephoneNumber, H DeviceType, I DeviceUserAgent, J DeviceModel, K FirstSyncTime, L UserDisplayName, M DeviceAccessState, N DeviceAccessStateReason, O DeviceAccessControlRule, P ClientVersion, Q ClientType, R IsManaged, S IsCompliant, T IsDisabled, U AdminDisplayName, V ExchangeVersion, W DirectoryObjectVersion, X Name, Y DistinguishedName, Z Identity, AA ObjectCategory, AB ObjectClass, AC WhenChanged, AD WhenCreated, AE WhenChangedUTC, AF WhenCreatedUTC, AG ExchangeObjectId, AH OrganizationalUnitRoot, AI OrganizationId, AJ Id, AK Guid, AL OriginatingServer, AM IsValid, AN ObjectState, AO UserDisplayNameNew.
UserDisplayNameNew is the Name of the mailbox that owns the device: the part of Identity before the first backslash (Identity reads <mailbox Name>\ExchangeActiveSyncDevices\<device Name>, for example Lila\ExchangeActiveSyncDevices\REST§Outlook§5eec4e941e0748a264512fd83770d5ac).

Format: one header row, then one row per device. Every value is in double quotes (inner quotes doubled) and an empty property is an empty, unquoted field, as Export-Csv writes them. True and False are written as True and False. Dates, WhenChanged and WhenCreated included, are UTC values printed in the current culture's short date and long time format, as Export-Csv prints them (05/08/2023 01:04:13 under the invariant culture, 5/8/2023 1:04:13 AM under en-US, 2023/05/08 1:04:13 under ja-JP); set [cultureinfo]::CurrentCulture first to choose another. ObjectClass, a list, is written as its values joined by a space (top msExchActiveSyncDevice). Lines end with CRLF on Windows and LF elsewhere.

Encoding: UTF-8 with a byte order mark by default, so Excel shows Japanese and other non-ASCII names correctly when the file is double-clicked. See -Encoding for the others.

Formula protection: device names are chosen by the device's owner, so a name such as =HYPERLINK(…) could run as a formula when the file is opened in a spreadsheet. Any value that starts with =, +, -, @, a tab or a carriage return is therefore written with a leading apostrophe ('), which Excel shows as text. -NoFormulaProtection turns this off, for output byte-identical to Export-Csv.

Safe writing: the file is written under a temporary name in the target folder and renamed only when every page is written. If the export fails or is stopped (Ctrl+C), the temporary file is removed and an existing file at -Path is left untouched; you never get half a file. An existing file is not replaced unless you add -Force. The folder must exist unless you add -Force.

When it finishes it shows one line: how many devices of how many users were written, where, in which encoding and how many bytes (-Quiet hides it; it is on the information stream, number 6). -PassThru returns the file.
'@
    Parameters  = @{
        Layout              = 'The columns of the file. RemotePowerShell (the default): the published procedure''s 42 columns, as a remote PowerShell session exported them: PSComputerName, RunspaceId, PSShowComputerName, the 38 properties of that session, UserDisplayNameNew; UserDisplayName is in column O and UserDisplayNameNew in column AP. ExchangeOnlineManagement: what today''s ExchangeOnlineManagement module returns, the 40 properties in the service''s order (with DirectoryObjectVersion and OrganizationalUnitRoot, Guid after Id), then UserDisplayNameNew; UserDisplayName is in column L and UserDisplayNameNew in column AO. The description lists every column letter. -IncludeSigninEvidence columns come after either.'
        Path                = 'The CSV file to write. Relative paths are resolved from the current PowerShell location. The path is taken literally (no wildcards). The file holds IMEIs, phone numbers and user names: on Linux and macOS it is created readable and writable by you only (mode 0600), and a file replaced with -Force keeps the mode it had. On Windows it inherits the permissions (ACL) of its folder: write it to a folder only the right people can read.'
        Encoding            = 'The text encoding: utf8BOM (the default; UTF-8 with a byte order mark, best for Excel), utf8NoBOM or utf8 (UTF-8 without a byte order mark), unicode (UTF-16 little-endian with a byte order mark) or shift_jis (Windows code page 932, for older Japanese tools). With shift_jis, a character that code page 932 cannot represent stops the export with an error naming the device and the property, rather than writing "?" as Export-Csv would; nothing is written in that case.'
        Force               = 'Replaces an existing file at -Path, and creates missing parent folders. Without it, an existing file is an error and the folder must exist. Cannot be combined with -NoClobber.'
        NoClobber           = 'Never replaces an existing file. This is already the default; the switch exists for those used to Export-Csv -NoClobber. Cannot be combined with -Force.'
        NoFormulaProtection = 'Writes values that start with =, +, -, @, a tab or a carriage return exactly as they are, without the leading apostrophe. Use it only when the file is read by a program, not opened in a spreadsheet.'
        PassThru            = 'Returns a System.IO.FileInfo for the written file. By default nothing is returned.'
        IncludeSigninEvidence = 'Adds three columns after the layout''s columns (AQ, AR and AS by default; AP, AQ and AR with -Layout ExchangeOnlineManagement), from the Entra ID sign-in logs: TransferSignInCount (how many sign-ins the device''s owner made through authentication transfer, the QR code), TransferFirstSignIn and TransferLastSignIn (dates in the same format as the other date columns; empty when there are none). A row is marked when its owner has such sign-ins. Needs AuditLog.Read.All and Microsoft Entra ID P1; without them the export stops with an error saying what to grant, and the export without this switch still works. Without the switch the file is exactly what it was before the switch existed.'
        EvidenceSince       = 'With -IncludeSigninEvidence: the start of the sign-in log window. The default is 30 days ago (the log retention). Only valid together with -IncludeSigninEvidence.'
        Quiet               = 'Hides the summary line shown when the export finishes. Warnings and errors are still shown.'
        UserPrincipalName   = 'Only the devices of this mailbox: a user principal name, an alias or another mailbox identity. By default the devices of all mailboxes are exported.'
        DeviceModel         = 'Only devices with this DeviceModel. The default is "Outlook for iOS and Android".'
        AnyDeviceModel      = 'Exports every ActiveSync device of every model, not only the Outlook mobile app. Overrides -DeviceModel.'
        ResultSize          = 'The maximum number of devices to write: a positive number, or Unlimited (the default). When more exist, a warning says so.'
        Session             = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Export the Outlook mobile devices for Excel'
            Code    = 'Export-OutlookMobileDevice -Path ./outlook-mobile.csv'
            Remarks = 'Writes outlook-mobile.csv (UTF-8 with BOM, the procedure''s 42 columns: find the user in column O, UserDisplayName, or AP, UserDisplayNameNew) in the current folder and shows a line such as: Exported 283 devices of 156 users to /home/admin/outlook-mobile.csv (UTF-8 (with BOM), 385,556 bytes). Fails if the file already exists.'
        }
        @{
            Title   = 'Replace yesterday''s file, creating the folder if needed'
            Code    = 'Export-OutlookMobileDevice -Path ./reports/outlook-mobile.csv -Force'
            Remarks = 'The old file stays in place until the new one is complete.'
        }
        @{
            Title   = 'A dated export in a runbook, returned as a file'
            Code    = @'
$file = Export-OutlookMobileDevice -Path (Join-Path ([IO.Path]::GetTempPath()) "outlook-mobile-$(Get-Date -Format yyyyMMdd).csv") -Force -Quiet -PassThru
$file.FullName
'@
            Remarks = 'No summary line; the FileInfo can be uploaded or attached to a mail.'
        }
        @{
            Title   = 'Shift_JIS for an older Japanese tool'
            Code    = @'
[cultureinfo]::CurrentCulture = 'ja-JP'
Export-OutlookMobileDevice -Path ./outlook-mobile-sjis.csv -Encoding shift_jis
'@
            Remarks = 'Dates in the Japanese format, text in code page 932. If a value holds a character outside code page 932 (some Chinese or Korean names, for example), the export stops, names the device and property, and writes nothing; export with utf8BOM instead. The demo tenant has Korean and Chinese names, so there it stops this way. Under some cultures the date format itself contains such a character (en-US puts a narrow no-break space before AM/PM), which is why this example sets ja-JP.'
        }
        @{
            Title   = 'Dates in a chosen culture'
            Code    = @'
[cultureinfo]::CurrentCulture = 'ja-JP'
Export-OutlookMobileDevice -Path ./outlook-mobile.csv -Force
'@
            Remarks = 'Dates read like 2024/04/21 18:13:05, as Export-Csv would print them under ja-JP.'
        }
        @{
            Title   = 'Mark the phones whose owners used the QR code'
            Code    = @'
Export-OutlookMobileDevice -Path ./outlook-mobile-evidence.csv -IncludeSigninEvidence -Force
Import-Csv ./outlook-mobile-evidence.csv | Where-Object { [int]$_.TransferSignInCount -gt 0 } | Select-Object UserDisplayNameNew, FriendlyName, TransferFirstSignIn, TransferLastSignIn
'@
            Remarks = 'The same columns as the default export, then TransferSignInCount, TransferFirstSignIn and TransferLastSignIn. The summary line also says how many devices and users have authentication-transfer sign-ins. -EvidenceSince (Get-Date).AddDays(-7) looks at the last week only.'
        }
        @{
            Title   = 'The columns of today''s ExchangeOnlineManagement module'
            Code    = 'Export-OutlookMobileDevice -Path ./outlook-mobile-v3.csv -Layout ExchangeOnlineManagement'
            Remarks = 'No PSComputerName, RunspaceId or PSShowComputerName; the 40 properties in the order Get-MobileDevice returns them today, then UserDisplayNameNew (column AO). Use the default layout when following the published procedure (UserDisplayName in O, UserDisplayNameNew in AP).'
        }
        @{
            Title   = 'Every ActiveSync device, not only Outlook mobile'
            Code    = 'Export-OutlookMobileDevice -Path ./all-activesync.csv -AnyDeviceModel'
            Remarks = 'Same columns, every device model.'
        }
    )
    Notes       = @'
Needs an Exchange Online session with the right to run Get-MobileDevice: the Exchange Administrator role, and Exchange.ManageAsApp for app-only sign-ins.

Errors and what to do: "already exists" - add -Force or choose another name. "does not exist" (the folder) - create it or add -Force. "access ... was denied" - check your rights on the folder, or close the file if Excel has it open. "cannot represent" with shift_jis - use utf8BOM.

Import-Csv reads the file back; with formula protection on, values that began with = + - @ keep their leading apostrophe.
'@
    Links       = @('Get-OutlookMobileDevice', 'Get-OutlookQrSigninEvidence', 'Revoke-OutlookMobileSignin', 'Disable-OutlookQrSignin')
}
