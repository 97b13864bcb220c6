@{
    Synopsis    = 'Lists the Entra ID sign-ins that came through authentication transfer (the Outlook QR code): who, when, from which phone and where.'
    Description = @'
Get-OutlookQrSigninEvidence reads the Entra ID sign-in logs (Microsoft Graph, beta auditLogs/signIns) and returns the events whose originalTransferMethod is authenticationTransfer: the sessions that started when a phone scanned the QR code, and every later sign-in of that session. These are the phones the manual procedure cannot tell apart from other Outlook mobile devices.

By default it covers the last 30 days (the sign-in log retention with Entra ID P1 or P2), interactive and non-interactive sign-ins (the scan itself, then the app's token refreshes); -Since, -Until, -UserPrincipalName and -InteractiveOnly narrow it. Events stream to the pipeline as each page of the log arrives, newest first, so Select-Object -First stops reading early.

The filter runs on the service when it accepts a filter on originalTransferMethod. When the service refuses it, the cmdlet filters on this computer over a narrower server-side filter (the time window and the Outlook mobile app) and says so under -Verbose: the same events, more pages read. The sign-in log is throttled more tightly than the rest of Graph; the cmdlet waits as long as the service asks (Retry-After) and goes on.

Each event has Time (UTC), UserPrincipalName, UserId, UserDisplayName, App, AppId, ClientAppUsed, EventType (interactiveUser or nonInteractiveUser), DeviceOS, DeviceName, Browser, DeviceId, IPAddress, City, State, Country, Location, Result (Success or Failure), ErrorCode, FailureReason, ConditionalAccessStatus, TransferMethod, CorrelationId and Id. Pipe them into Revoke-OutlookMobileSignin to cut those users off: each user is revoked once, however many events they have.

Permissions: AuditLog.Read.All (application; some tenants also need Directory.Read.All). The sign-in logs need Microsoft Entra ID P1 or P2; without it the service refuses and the error says which licence is missing. Get-OutlookMobileDevice and Revoke-OutlookMobileSignin work without it.
'@
    Parameters  = @{
        Since             = 'The start of the time window. The default is 30 days ago. A time without a time zone is taken as local time.'
        Until             = 'The end of the time window. The default is now. Must be later than -Since.'
        UserPrincipalName = 'Only this user''s sign-ins, by user principal name or Entra object ID.'
        InteractiveOnly   = 'Only interactive sign-ins (the moment the QR code was used), not the non-interactive sign-ins the app makes afterwards.'
        Session           = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Who used the QR code in the last 30 days'
            Code    = 'Get-OutlookQrSigninEvidence -InteractiveOnly | Group-Object UserPrincipalName | Sort-Object Count -Descending | Select-Object Count, Name'
            Remarks = 'One row per user, with the number of times a phone was signed in through the QR code.'
        }
        @{
            Title   = 'Revoke the sessions of every user who signed in through the QR code this week'
            Code    = 'Get-OutlookQrSigninEvidence -Since (Get-Date).AddDays(-7) | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'Shows one "Revoke all sign-in sessions" line per user (not per event). Remove -WhatIf to revoke; the users'' Outlook apps must then sign in again through Entra ID.'
        }
        @{
            Title   = 'One user''s phones, with where they signed in from'
            Code    = 'Get-OutlookQrSigninEvidence -UserPrincipalName isaiah.langer@contoso.com | Format-Table Time, DeviceOS, DeviceName, IPAddress, Location, Result'
            Remarks = 'Every authentication-transfer sign-in of that user in the last 30 days.'
        }
    )
    Links       = @('Revoke-OutlookMobileSignin', 'Export-OutlookMobileDevice', 'Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin')
}
