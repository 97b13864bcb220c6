@{
    Synopsis    = 'Produces an audit report of the Outlook QR-code sign-in exposure: the prompt setting, the Conditional Access block, the connected Outlook mobile devices per user and OS, who signed in through the QR code, and what to do next.'
    Description = @'
Get-OutlookQrGuardReport checks both layers (as Test-OutlookQrSignin does: the prompt setting and the Conditional Access block of authentication transfer), reads the connected Outlook for iOS and Android devices (as Get-OutlookMobileDevice does) and the authentication-transfer sign-ins of the last 30 days (as Get-OutlookQrSigninEvidence does), and summarises them in one report:

- the organization, the verdict over both layers (Exposed, PromptHidden, ReportOnly, BlockedWithExclusions, Blocked or Unknown) and its reason;

- the Conditional Access state and the policies that block authentication transfer, with their exclusions named;
- the OWA mailbox policies (semi-documented layer): AccountTransferEnabled on each policy and how many mailboxes it applies to (a mailbox with no policy counts under the default). Microsoft's Set-OwaMailboxPolicy reference marks the setting reserved for internal use; Microsoft365DSC calls it the QR code sign-in switch. If the policies cannot be read, this section is Unknown with the reason and the rest of the report is unaffected;

- how many users signed in through authentication transfer (the QR code), and how many such sign-ins there were; when the sign-in logs cannot be read (no AuditLog.Read.All, or no Microsoft Entra ID P1), the report says why instead;

- how many Outlook mobile devices are connected, and for how many users;

- devices per operating system (iOS, Android …) and the ten users with the most devices;

- recommendations: hide the prompt if it is shown, review and revoke the connected devices, look at users with many devices, and block authentication transfer with Conditional Access;

- every user with their device count.

-Format chooses the form. Html (the default) is one self-contained page, without scripts or external resources, that can be opened in a browser, attached to a mail or a ticket, and read by someone who does not use PowerShell. The page draws three charts as inline SVG: the three layers (the prompt, MobileAppEducationEnabled; the OWA mailbox policy switch, AccountTransferEnabled, semi-documented; the Conditional Access block of authentication transfer: none, report-only or enforced), each with its state written in the box as well as coloured; the QR-code sign-ins per UTC day over the 30-day window, days without sign-ins included; and the devices per operating system. Each chart has a title and a text description for screen readers. Numbers are grouped with the thousands separator of -Culture. Long tables show their first 10 rows and fold the rest (at most 1,000 rows on the page) under "Show all"; the full data is in the JSON (and, per user, the CSV). Printed, the folded rows unfold and charts are not split across pages. The page carries a Content-Security-Policy that forbids scripts and external resources, so the browser enforces that too. Json has every figure under camelCase names (organization, generatedAtUtc, promptEnabled, verdict, verdictReason, outlookMobileDevices, usersWithDevices, devicesByOs, usersWithMostDevices, recommendations, devicesPerUser, conditionalAccess with state, reason, code and policies, and evidence with available, reason, windowDays, users, signins, perUser and perDay), for monitoring and runbooks. Csv has one row per user (columns User, OutlookMobileDevices and TransferSignIns), for Excel. Users are named by their mailbox display name (UserDisplayNameNew).

Without -Path the report is returned as a string. With -Path it is written to that file and a FileInfo is returned. The file is written the same safe way as Export-OutlookMobileDevice: under a temporary name, renamed only when complete, so a failed or stopped run leaves no partial file. An existing file is replaced only with -Force; the folder must exist. The CSV is UTF-8 with a byte order mark, and values that start with =, +, -, @, a tab or a carriage return get a leading apostrophe; HTML and JSON are UTF-8 without a byte order mark. The page's text is in English.

It only reads the tenant; it changes nothing.
'@
    Parameters  = @{
        FleetRow = 'Rows of Get-OutlookQrFleetStatus (piped in or given). The report is then one page over all those tenants: a table with each tenant''s verdict, the state of each layer (prompt, Conditional Access, OWA AccountTransferEnabled), the authentication-transfer users and sign-ins of the last 30 days, the newest one, the would-be-blocked count and what could not be read, worst first. -Format Html or Json (Csv is refused: pipe the rows to Export-Csv instead).'
        Format            = 'The form of the report: Html (the default), Json or Csv.'
        Path              = 'The file to write the report to. Relative paths are resolved from the current PowerShell location. Without it, the report is returned as a string. The file holds IMEIs, phone numbers and user names: on Linux and macOS it is created readable and writable by you only (mode 0600), and a file replaced with -Force keeps the mode it had. On Windows it inherits the permissions (ACL) of its folder: write it to a folder only the right people can read.'
        Force             = 'Replaces an existing file at -Path. Without it, an existing file is an error. The folder must exist either way.'
        Culture           = 'The culture whose thousands separators the HTML page uses for its numbers, for example en-US (1,234), de-DE (1.234), fr-FR (1 234 with a narrow no-break space) or en-IN (12,34,567). By default the current culture of the session ($PSCulture). The page text stays English, JSON and CSV keep plain numbers, and a culture without a known separator falls back to its language, then to the comma.'
        UserPrincipalName = 'Only the devices of this mailbox: a user principal name, an alias or another mailbox identity. By default the devices of all mailboxes are counted.'
        DeviceModel       = 'Only devices with this DeviceModel. The default is "Outlook for iOS and Android".'
        AnyDeviceModel    = 'Counts every ActiveSync device of every model, not only the Outlook mobile app. Overrides -DeviceModel.'
        ResultSize        = 'The maximum number of devices to read: a positive number, or Unlimited (the default). With a limit, the figures cover only the devices read.'
        Session           = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('OutlookQrGuard.Model.FleetTenantStatus: rows of Get-OutlookQrFleetStatus, for the fleet page.', 'OutlookQrGuard.Model.OutlookQrGuardSession: one report per session.')
    Examples    = @(
        @{
            Title   = 'Write the audit as a web page'
            Code    = 'Get-OutlookQrGuardReport -Path ./outlook-qr-audit.html'
            Remarks = 'Writes one HTML page with the verdict, the device and user counts, devices per OS, the users with the most devices and the recommendations, and returns the file. Open it in any browser.'
        }
        @{
            Title   = 'Use the figures in a script or runbook'
            Code    = @'
$report = Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
"$($report.verdict): $($report.outlookMobileDevices) devices of $($report.usersWithDevices) users"
$report.recommendations
'@
            Remarks = 'The JSON text is returned as a string when -Path is not given; ConvertFrom-Json turns it into an object.'
        }
        @{
            Title   = 'Devices per user for Excel'
            Code    = 'Get-OutlookQrGuardReport -Format Csv -Path ./outlook-mobile-per-user.csv -Force'
            Remarks = 'One row per user with the number of Outlook mobile devices, most first; replaces the file if it exists.'
        }
        @{
            Title   = 'A weekly report with a dated file name'
            Code    = 'Get-OutlookQrGuardReport -Path "./outlook-qr-audit-$(Get-Date -Format yyyyMMdd).html"'
            Remarks = 'Run it from a scheduled runbook after Connect-OutlookQrGuard -ManagedIdentity to keep a history.'
        }
    )
    Notes       = @'
Needs the same Exchange Online access as Test-OutlookQrSignin and Get-OutlookMobileDevice: the Exchange Administrator role (and Exchange.ManageAsApp for app-only sign-ins). The Entra ID half uses Microsoft Graph: Policy.Read.All for the Conditional Access state and AuditLog.Read.All for the sign-in logs, both with Microsoft Entra ID P1. Without them the Exchange half of the report is still written, and the report says what to grant.

Devices alone cannot tell QR-connected phones from phones signed in the usual way; the sign-in logs can, within their 30-day retention. For the device list with that evidence per row use Export-OutlookMobileDevice -IncludeSigninEvidence.
'@
    Links       = @('Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Get-OutlookMobileDevice', 'Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin')
}
