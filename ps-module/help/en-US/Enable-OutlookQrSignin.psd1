@{
    Synopsis    = 'Shows the "Get Outlook mobile" prompt in Outlook on the web again, which reopens the QR-code sign-in.'
    Description = @'
Enable-OutlookQrSignin sets MobileAppEducationEnabled to True in the Exchange Online organization configuration (Set-OrganizationConfig), undoing Disable-OutlookQrSignin. Outlook on the web can then show users the "Get Outlook mobile" prompt again, and any phone that scans its QR code gets the Outlook app signed in as that user without a sign-in on the phone.

Because that reopens the QR-code sign-in, the cmdlet's impact is High: it asks for confirmation unless you pass -Confirm:$false. It reads the setting first and writes only when it differs. With -PassThru it returns the organization, the new value, the previous value and whether anything changed.

It does not affect phones, sessions or Conditional Access policies. A Conditional Access policy that blocks authentication transfer still blocks the QR sign-in at Entra ID even when the prompt is shown.

With -IncludeOwaAccountTransfer it also sets AccountTransferEnabled back to True on every Outlook on the web mailbox policy (the semi-documented third layer; see Disable-OutlookQrSignin). Each policy that differs is confirmed on its own (High impact); a policy already True is not written; one object per policy is returned. Note that this turns the switch on for every policy, including ones that had it off before Disable-OutlookQrSignin -IncludeOwaAccountTransfer.
'@
    Parameters  = @{
        IncludeOwaAccountTransfer = 'Also sets AccountTransferEnabled to True on every Outlook on the web mailbox policy (semi-documented: reserved for internal Microsoft use per the Set-OwaMailboxPolicy reference). Each policy that differs is confirmed at High impact; returns one object per policy. Without this switch the OWA mailbox policies are never touched.'
        PassThru = 'Returns an object with Organization, MobileAppEducationEnabled (now True), PreviousValue and Changed. By default nothing is returned.'
        Session  = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Show the prompt again'
            Code    = 'Enable-OutlookQrSignin'
            Remarks = 'Asks for confirmation, then sets MobileAppEducationEnabled to True.'
        }
        @{
            Title   = 'Restore the setting in a script, without a prompt'
            Code    = 'Enable-OutlookQrSignin -Confirm:$false -PassThru'
            Remarks = 'Returns Organization, MobileAppEducationEnabled True, PreviousValue and Changed.'
        }
        @{
            Title   = 'See what would change'
            Code    = 'Enable-OutlookQrSignin -WhatIf'
            Remarks = 'Changes nothing.'
        }
        @{
            Title   = 'Turn the OWA mailbox policy switch back on'
            Code    = 'Enable-OutlookQrSignin -IncludeOwaAccountTransfer'
            Remarks = 'Asks for the prompt, then for each OWA mailbox policy whose AccountTransferEnabled is not True.'
        }
    )
    Notes       = @'
Needs the same rights as Disable-OutlookQrSignin: the Exchange Administrator role (and Exchange.ManageAsApp for app-only sign-ins).

-IncludeOwaAccountTransfer needs Get-OwaMailboxPolicy and Set-OwaMailboxPolicy in the app's Exchange roles (Get-ManagementRole -Cmdlet Set-OwaMailboxPolicy lists the roles that hold it); the Exchange Administrator role covers both.
'@
    Links       = @('Disable-OutlookQrSignin', 'Test-OutlookQrSignin')
}
