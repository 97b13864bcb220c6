@{
    Synopsis    = 'Hides the "Get Outlook mobile" prompt in Outlook on the web, so users can no longer start the QR-code sign-in from it.'
    Description = @'
Disable-OutlookQrSignin sets MobileAppEducationEnabled to False in the Exchange Online organization configuration (Set-OrganizationConfig). Outlook on the web then stops showing the "Get Outlook mobile" / "Always connected to Outlook" prompt that puts a sign-in QR code on screen.

It reads the setting first and writes only when it differs, so running it again changes nothing (with -Verbose it says so). With -PassThru it returns the organization, the new value, the previous value and whether anything changed.

The change is not immediate: Microsoft's admin article "Use a QR code to sign-in to the Outlook mobile apps" notes that with the Exchange PowerShell command "changes may take up to 8 hours to propagate". Until then, and in Outlook on the web sessions that are already open, users may still see the prompt.

What it does NOT do: it does not disconnect phones that already scanned a QR code, and it does not end any sign-in session. It does not block the authentication transfer flow at Entra ID either; a Conditional Access policy that blocks authentication transfer does that for every client. A warning after the change repeats this.

To stop the phones already connected through the QR code, enforce that block (Block-OutlookAuthenticationTransfer -Enforce): Microsoft's "Conditional Access: Authentication flows" page says sessions started through authentication transfer are protocol tracked, that "Any protocol tracked sessions are subject to policy enforcement if a policy exists" and that the state "is sustained through subsequent refreshes", so those sessions are stopped at their next token refresh, without signing the users out of anything else. This is Microsoft's statement; the module has not verified it against a real tenant. Revoke the users' sessions (Revoke-OutlookMobileSignin, after finding them with Get-OutlookQrSigninEvidence or Get-OutlookMobileDevice) for users who must be cut off now, or whose phones were connected another way.

With -IncludeOwaAccountTransfer it also sets AccountTransferEnabled to False on every Outlook on the web mailbox policy (Set-OwaMailboxPolicy), the third, semi-documented layer: Microsoft's Set-OwaMailboxPolicy reference marks the parameter "reserved for internal Microsoft use"; Microsoft365DSC describes it as the QR code sign-in switch, enabled by default. It is never set without the switch. The module reads every policy first and asks for each one that differs (High impact: it asks unless you pass -Confirm:$false); a policy already False is not written again. -WhatIf shows each policy that would change and changes nothing. A warning says the setting is semi-documented, and one object per policy is returned (Policy, AccountTransferEnabled, PreviousValue, Changed, Status Changed or AlreadySet). A policy the service refuses (for example an Exchange role without Set-OwaMailboxPolicy) is reported as an error naming it, and the others are still set.
'@
    Parameters  = @{
        IncludeOwaAccountTransfer = 'Also sets AccountTransferEnabled to False on every Outlook on the web mailbox policy (semi-documented: reserved for internal Microsoft use per the Set-OwaMailboxPolicy reference). Each policy that differs is confirmed at High impact; returns one object per policy. Without this switch the OWA mailbox policies are never touched.'
        PassThru = 'Returns an object with Organization, MobileAppEducationEnabled (now False), PreviousValue and Changed. By default nothing is returned.'
        Session  = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Hide the prompt'
            Code    = 'Disable-OutlookQrSignin'
            Remarks = 'Sets MobileAppEducationEnabled to False and warns that the change may take up to 8 hours to reach users, and that phones already connected stay connected until an enforced block or a revocation stops them.'
        }
        @{
            Title   = 'Hide the prompt and confirm the result'
            Code    = @'
Disable-OutlookQrSignin -PassThru
Test-OutlookQrSignin
'@
            Remarks = 'The -PassThru row shows PreviousValue True and Changed True the first time, Changed False afterwards. Test-OutlookQrSignin then reads Verdict : PromptHidden.'
        }
        @{
            Title   = 'See what would change'
            Code    = 'Disable-OutlookQrSignin -WhatIf'
            Remarks = 'Shows the organization and the value that would be set, without changing anything.'
        }
        @{
            Title   = 'The whole clean-up'
            Code    = @'
Disable-OutlookQrSignin
Export-OutlookMobileDevice -Path ./outlook-mobile.csv
Get-OutlookMobileDevice | Revoke-OutlookMobileSignin
'@
            Remarks = 'Hides the prompt, keeps a record of the phones connected so far, then revokes their users'' sessions (Revoke-OutlookMobileSignin asks before each user unless you add -Confirm:$false).'
        }
        @{
            Title   = 'Also turn off the semi-documented OWA mailbox policy switch'
            Code    = @'
Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WhatIf
Disable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false
'@
            Remarks = 'The first line lists each OWA mailbox policy whose AccountTransferEnabled would be set to False, and changes nothing. The second sets it without asking and returns one row per policy (Status Changed, or AlreadySet for a policy that was already False).'
        }
    )
    Notes       = @'
Needs an Exchange Online session with the right to run Set-OrganizationConfig: the Exchange Administrator role (and Exchange.ManageAsApp for app-only sign-ins).

Impact is Medium: by default it does not ask for confirmation. Add -Confirm to be asked.

-IncludeOwaAccountTransfer needs Get-OwaMailboxPolicy and Set-OwaMailboxPolicy in the app's Exchange roles (Get-ManagementRole -Cmdlet Set-OwaMailboxPolicy lists the roles that hold it); the Exchange Administrator role covers both.
'@
    Links       = @('Test-OutlookQrSignin', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin')
}
