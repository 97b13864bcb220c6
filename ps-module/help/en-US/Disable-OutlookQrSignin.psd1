@{
    Synopsis    = 'Hides the "Get Outlook mobile" prompt in Outlook on the web, so users can no longer start the QR-code sign-in from it.'
    Description = @'
Disable-OutlookQrSignin sets MobileAppEducationEnabled to False in the Exchange Online organization configuration (Set-OrganizationConfig). Outlook on the web then stops showing the "Get Outlook mobile" / "Always connected to Outlook" prompt that puts a sign-in QR code on screen.

It reads the setting first and writes only when it differs, so running it again changes nothing (with -Verbose it says so). With -PassThru it returns the organization, the new value, the previous value and whether anything changed.

What it does NOT do: it does not disconnect phones that already scanned a QR code, and it does not end any sign-in session. Those phones keep syncing mail until you find them (Get-OutlookMobileDevice or Export-OutlookMobileDevice) and revoke their users' sessions (Revoke-OutlookMobileSignin). It does not block the authentication transfer flow at Entra ID either; a Conditional Access policy that blocks authentication transfer does that for every client. A warning after the change repeats this.

Outlook on the web sessions that are already open may show the prompt until they reload the setting.
'@
    Parameters  = @{
        PassThru = 'Returns an object with Organization, MobileAppEducationEnabled (now False), PreviousValue and Changed. By default nothing is returned.'
        Session  = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Hide the prompt'
            Code    = 'Disable-OutlookQrSignin'
            Remarks = 'Sets MobileAppEducationEnabled to False and warns that phones already connected stay connected.'
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
    )
    Notes       = @'
Needs an Exchange Online session with the right to run Set-OrganizationConfig: the Exchange Administrator role (and Exchange.ManageAsApp for app-only sign-ins).

Impact is Medium: by default it does not ask for confirmation. Add -Confirm to be asked.
'@
    Links       = @('Test-OutlookQrSignin', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin')
}
