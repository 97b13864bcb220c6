@{
    Synopsis    = 'Checks both layers of the Outlook QR-code sign-in: the "Get Outlook mobile" prompt in Outlook on the web, and the Conditional Access block of authentication transfer at Entra ID.'
    Description = @'
Test-OutlookQrSignin reads two things and gives one verdict.

The Exchange layer: the Exchange Online organization configuration says whether Outlook on the web shows users the "Get Outlook mobile" / "Always connected to Outlook" prompt, which leads to the QR code that signs a phone in without a sign-in on the phone. The setting is MobileAppEducationEnabled (Get-OrganizationConfig).

The Entra ID layer: the QR code is an Entra ID flow called authentication transfer, which a Conditional Access policy can block for every client. The cmdlet reads the tenant's Conditional Access policies and reports every policy whose grant blocks authentication transfer: enabled or report-only, whether it covers all users, all apps and all client app types, and its exclusions (users, groups, roles) by name, since each exclusion is a way through.

The result has the organization, MobileAppEducationEnabled, every other MobileApp* and OutlookMobile* setting, PromptEnabled, ConditionalAccessState (Blocked, BlockedWithExclusions, ReportOnly, NotBlocked or Unknown), ConditionalAccessReason, ConditionalAccessCode (the service's code when the state is Unknown), TransferBlockPolicies (every policy whose grant blocks authentication transfer, disabled ones included), Exclusions, Exposed, a Verdict and a Reason in words. Verdict covers both layers; an enforced block decides first, since it stops the flow for every client:

- Blocked: an enabled policy blocks authentication transfer for all users, apps and client app types, with no exclusions. Per Microsoft ("Conditional Access: Authentication flows", protocol tracking), phones already connected through the QR code are then stopped at their next token refresh (not verified by this module against a real tenant).

- BlockedWithExclusions: an enabled policy blocks it for all users except the exclusions it names; each excluded account can still sign a phone in with a QR code.

- PromptHidden: nothing enforced blocks it, and the prompt is hidden (MobileAppEducationEnabled is False). The change may take up to 8 hours to reach users (Microsoft's admin article). Phones connected earlier stay connected: an enforced block (Block-OutlookAuthenticationTransfer -Enforce) stops the QR-connected ones at their next token refresh, as Microsoft documents for protocol-tracked sessions; Revoke-OutlookMobileSignin cuts users off now. Find them with Get-OutlookMobileDevice and Get-OutlookQrSigninEvidence.

- ReportOnly: the prompt is shown, and only report-only policies (enabledForReportingButNotEnforced) would block authentication transfer; they log who would be blocked and block nobody. The check then reads those results from the last 30 days of sign-in logs (as Get-OutlookQrBlockImpact does) and adds ReportOnlyImpact, WouldBlockUsers, WouldBlockSignIns, WouldBlockBreakGlassUsers (accounts excluded from other policies but not from the block), WouldBlockExcludedUsers and EnforceRecommendation: the advice to run Block-OutlookAuthenticationTransfer -Enforce comes only with that evidence (when it cannot be read, a warning says why and no -Enforce advice is given). For other states these properties are empty.

- Exposed: the prompt is shown and nothing at Entra ID blocks the flow. Run Disable-OutlookQrSignin and Block-OutlookAuthenticationTransfer.

- Unknown: the tenant did not report MobileAppEducationEnabled, and Conditional Access does not decide.

When the caller lacks Policy.Read.All, or the tenant has no Microsoft Entra ID P1, the Exchange half still answers: ConditionalAccessState is Unknown, ConditionalAccessReason says what to grant or which licence is missing (and a warning says so too), and the verdict rests on the prompt setting alone.

With -Quiet it returns only $true or $false, for use in if statements and monitoring runbooks: $false when an enforced policy blocks authentication transfer for everyone (Blocked) or the prompt is hidden, $true otherwise (report-only policies and exclusions leave the QR-code sign-in usable).

It only reads; it changes nothing. -Verbose shows what was read from each layer.
'@
    Parameters  = @{
        Quiet   = 'Returns only $true or $false instead of the result object: $false when an enforced Conditional Access policy blocks authentication transfer for everyone or the prompt is hidden, $true otherwise (a QR-code sign-in can still be put to use).'
        Session = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Check the tenant'
            Code    = 'Test-OutlookQrSignin'
            Remarks = 'Shows the organization, MobileAppEducationEnabled, the Conditional Access state, the policies that block authentication transfer and their exclusions, the Verdict and the Reason. A tenant that shows the prompt and has no block reads Verdict : Exposed.'
        }
        @{
            Title   = 'Use the answer in a script'
            Code    = @'
if (Test-OutlookQrSignin -Quiet) {
    Write-Warning 'The QR-code sign-in can still be used in this tenant.'
}
'@
            Remarks = 'Warns only while the QR-code sign-in is still usable.'
        }
        @{
            Title   = 'Name every exclusion of the policies that block authentication transfer'
            Code    = '(Test-OutlookQrSignin).TransferBlockPolicies | ForEach-Object { $_.DisplayName; $_.Exclusions | Format-Table Kind, DisplayName, Id }'
            Remarks = 'Each excluded user, group or role is a way past the block: keep the list to break-glass accounts.'
        }
        @{
            Title   = 'See every Outlook mobile setting of the organization'
            Code    = 'Test-OutlookQrSignin | Format-List *'
            Remarks = 'The default view shows the main properties; Format-List * shows all MobileApp* and OutlookMobile* settings as well.'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Block-OutlookAuthenticationTransfer', 'Get-OutlookQrSigninEvidence', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
