@{
    Synopsis    = 'Checks whether Outlook on the web offers users the "Get Outlook mobile" QR-code sign-in.'
    Description = @'
Test-OutlookQrSignin reads the Exchange Online organization configuration and reports whether Outlook on the web shows users the "Get Outlook mobile" / "Always connected to Outlook" prompt, which leads to the QR code that signs a phone in without a sign-in on the phone. The setting is MobileAppEducationEnabled (Get-OrganizationConfig).

The result has the organization, MobileAppEducationEnabled, every other MobileApp* and OutlookMobile* setting of the organization, PromptEnabled, a Verdict and a Reason in words. Verdict is one of:

- Exposed: the prompt is shown (MobileAppEducationEnabled is True). Run Disable-OutlookQrSignin.

- PromptHidden: the prompt is hidden (False). Phones connected earlier stay connected; find them with Get-OutlookMobileDevice.

- Unknown: the tenant did not report MobileAppEducationEnabled.

With -Quiet it returns only $true (the prompt is shown) or $false (hidden, or Unknown), for use in if statements and monitoring runbooks.

It only reads; it changes nothing. It does not look at phones already connected, and it cannot tell whether Conditional Access blocks authentication transfer at Entra ID: a hidden prompt is one layer, not the whole fix.
'@
    Parameters  = @{
        Quiet   = 'Returns only $true when the prompt is shown, and $false otherwise (including when the tenant did not report the setting), instead of the result object.'
        Session = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Check the tenant'
            Code    = 'Test-OutlookQrSignin'
            Remarks = 'Shows the organization, MobileAppEducationEnabled, the Verdict and the Reason. A tenant that shows the prompt reads Verdict : Exposed.'
        }
        @{
            Title   = 'Use the answer in a script'
            Code    = @'
if (Test-OutlookQrSignin -Quiet) {
    Write-Warning 'Outlook on the web still offers the QR-code sign-in.'
}
'@
            Remarks = 'Warns only when the prompt is shown.'
        }
        @{
            Title   = 'See every Outlook mobile setting of the organization'
            Code    = 'Test-OutlookQrSignin | Format-List *'
            Remarks = 'The default view shows four properties; Format-List * shows all MobileApp* and OutlookMobile* settings as well.'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
