@{
    Synopsis    = 'Revokes users'' sign-in sessions so that their Outlook mobile apps (and every other app) must sign in again through Entra ID.'
    Description = @'
Revoke-OutlookMobileSignin calls Microsoft Graph's revokeSignInSessions for each user. That invalidates all of the user's refresh tokens and session cookies, on every device and in every app, not only Outlook mobile. An Outlook app connected through the QR code can then no longer renew its access and must sign in again through Entra ID, where MFA, device and location rules and Conditional Access apply.

Users can be given by user principal name or object ID (-UserPrincipalName), or piped in: devices from Get-OutlookMobileDevice, UPN or object-ID strings, or any object with a UserPrincipalName property. A device is resolved to the user who owns its mailbox (through Exchange Online). Each user is revoked once, however many devices or spellings name them, and the requests are sent in Graph batches.

One result is returned per user, with Input (what was asked for), UserPrincipalName, UserId, Status and Message. Status is Revoked, NotFound (no such user, the device's mailbox no longer exists, or the device names no mailbox: a device is never revoked by the name it shows), Forbidden (the session lacks permission), Invalid (not a valid UPN or object ID), NotSupported (a guest account, see below; nothing was sent), Throttled (Microsoft Graph kept throttling after the retries; run it again later for that user) Failed (the service kept failing after the retries), Cancelled or Unknown (the command was stopped, see below). A user who fails also produces a non-terminating error naming the user; the others are still revoked, so check the results or -ErrorVariable rather than stopping at the first error.

What it does NOT do, and what to expect:

- Access tokens already issued are not revoked: they stay valid until they expire, usually 60 to 90 minutes after they were issued, so an app may keep syncing for roughly another hour. Where continuous access evaluation (CAE) applies (Exchange Online and Outlook mobile support it), Exchange rejects the old token sooner, usually within 15 minutes.

- The user is not blocked. They can sign in again at once, on the same phone, if Entra ID lets them; to stop the QR flow itself, hide the prompt (Disable-OutlookQrSignin) and block authentication transfer with Conditional Access.

- The device partnership stays in Exchange, and nothing is wiped from the phone. Get-OutlookMobileDevice still lists the device afterwards.

- Guest (B2B) users, whose UPN contains #EXT#, are not revoked: Microsoft Graph does not revoke the sign-in sessions of external users, who sign in through their home tenant. They come back with Status NotSupported (and a non-terminating error) and must be revoked in their home tenant. A guest given by object ID cannot be told apart and is sent like any user.

Stopping the command (Ctrl+C): nothing more is sent, the batches already sent get up to a second to answer, and every user still gets an outcome: Revoked for those Microsoft Graph confirmed (they are cut off), Cancelled for those nothing was sent for (not revoked), and Unknown for those whose request was sent but not answered before the stop (they may have been revoked; running the command again for them is harmless). PowerShell does not let a stopped command output objects, so the cmdlet writes a summary to the host instead ("N revoked, M cancelled, K unknown"), followed by the users revoked and the users unknown by name. With -ResultPath every user's outcome is also written to a CSV file, stopped or not: use it whenever the run may be interrupted.

Revocation signs a user out everywhere, so the impact is High: the cmdlet asks before each user unless you pass -Confirm:$false. Run it with -WhatIf first to see who would be affected.
'@
    Parameters  = @{
        UserPrincipalName = 'One or more users, by user principal name (isaiah.langer@contoso.com) or Entra object ID. Duplicates (in any letter case) are revoked once. To pass users through the pipeline, see -InputObject.'
        InputObject       = 'What the pipeline brings: devices from Get-OutlookMobileDevice (resolved to the owner of each device''s mailbox), sign-in events from Get-OutlookQrSigninEvidence (one revocation per user, however many events), user principal names or object IDs as strings, or any object with a UserPrincipalName property, such as an earlier result or a row from Import-Csv. Anything else is reported as an error and skipped.'
        ResultPath        = 'Also writes every user''s outcome (Requested, UserPrincipalName, UserId, Status, Message) to this CSV file (UTF-8 with BOM), whether the command finishes or is stopped with Ctrl+C. A stopped command cannot output its results, so this file is where the complete list of who was revoked, cancelled or unknown is kept. The file must not exist yet; its folder must.'
        Session           = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used. It needs Microsoft Graph access (User.RevokeSessions.All); revoking devices also uses its Exchange access.'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookMobileDevice', 'System.String', 'System.Management.Automation.PSObject')
    Examples    = @(
        @{
            Title   = 'Revoke one user'
            Code    = 'Revoke-OutlookMobileSignin -UserPrincipalName isaiah.langer@contoso.onmicrosoft.com'
            Remarks = 'Asks for confirmation, then returns one row: the user, Status Revoked, and the message "Sign-in sessions revoked: the user''s apps must sign in again through Entra ID."'
        }
        @{
            Title   = 'See who would be signed out'
            Code    = 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'One "What if" line per user that owns an Outlook mobile app; nothing is revoked.'
        }
        @{
            Title   = 'Revoke everyone with an Outlook mobile app, without prompts'
            Code    = @'
$results = Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable failed
$results | Group-Object Status -NoElement
$failed.Count
'@
            Remarks = 'Revokes each owner once, summarises the outcome by Status, and keeps the errors of the users that failed in $failed.'
        }
        @{
            Title   = 'Revoke the users who signed in through the QR code'
            Code    = 'Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin -Confirm:$false'
            Remarks = 'Every user with an authentication-transfer sign-in in the last 30 days is revoked once, however many sign-in events they have.'
        }
        @{
            Title   = 'Keep the outcomes even if the run is stopped'
            Code    = @'
Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ResultPath ./revoke-results.csv
# After Ctrl+C: who was cut off, and who to run again
Import-Csv ./revoke-results.csv | Group-Object Status -NoElement
Import-Csv ./revoke-results.csv | Where-Object Status -in 'Cancelled', 'Unknown' | Revoke-OutlookMobileSignin -Confirm:$false
'@
            Remarks = 'If the run is stopped, the host shows the summary and the revoked users, and the file holds every user''s outcome; the users not revoked can be piped back in.'
        }
        @{
            Title   = 'Revoke the users listed in a CSV file'
            Code    = 'Import-Csv ./users.csv | Revoke-OutlookMobileSignin -Confirm:$false'
            Remarks = 'Each row needs a UserPrincipalName column holding a UPN or an object ID.'
        }
        @{
            Title   = 'Try again for the users that could not be revoked'
            Code    = @'
$results = Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ErrorAction SilentlyContinue
$results | Where-Object Status -in 'Throttled', 'Failed' | Revoke-OutlookMobileSignin -Confirm:$false
'@
            Remarks = 'Results carry the user''s UserPrincipalName, so the users that were throttled or failed can be piped straight back in, for example a few minutes later.'
        }
    )
    Notes       = @'
Permissions: the Microsoft Graph permission User.RevokeSessions.All (application permission for app-only sign-ins and managed identities, delegated permission for -Device), with admin consent. A delegated caller also needs an Entra role that covers the users, such as User Administrator. Without it the users come back with Status Forbidden. Piping devices also needs the Exchange access that Get-OutlookMobileDevice needs, to find each mailbox's owner.

A user principal name that begins with $ is addressed as /users('$name@domain'), as Microsoft Graph requires.

Requests are batched ($batch, 20 users each); a throttled user waits for its own Retry-After and goes in a later batch. If a batch's reply is lost after it was sent, the users' signInSessionsValidFromDateTime is read first (this needs User.Read.All as well) and only users not yet revoked are sent again, so each user is revoked once. Without User.Read.All those users are revoked again, which is harmless, and a warning says so.

Entra ID applies a revocation after a short delay, usually a few minutes. Revocation does not remove devices: Get-OutlookMobileDevice still lists them afterwards.
'@
    Links       = @('Get-OutlookMobileDevice', 'Get-OutlookQrSigninEvidence', 'Export-OutlookMobileDevice', 'Disable-OutlookQrSignin', 'Connect-OutlookQrGuard')
}
