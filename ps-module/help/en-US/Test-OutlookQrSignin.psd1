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

It only reads; it changes nothing (except the baseline file with -UpdateBaseline). -Verbose shows what was read from each layer.

The third layer, semi-documented: AccountTransferEnabled on every Outlook on the web mailbox policy, which Microsoft365DSC describes as the QR code sign-in switch (enabled by default) and Microsoft's Set-OwaMailboxPolicy reference marks "reserved for internal Microsoft use". OwaAccountTransferState is On (True on at least one policy, or not reported: the default is True), Off or Unknown; OwaMailboxPolicies lists each policy with its value and how many mailboxes it applies to (one Get-CASMailbox scan; mailboxes with no policy count under the default policy); OwaAccountTransferReason says which policies leave it on, or why the layer could not be read (OwaAccountTransferCode holds the service's code, for example CommandNotFoundException when the app's Exchange roles lack Get-CASMailbox or Get-OwaMailboxPolicy); OwaAccountTransferDocumentation states how far Microsoft documents it. This layer does not change Verdict or -Quiet: Microsoft does not document whether the switch on its own offers the QR code (a third-party write-up reports it governs the "Outlook Mobile" QR entry under Help), so the verdict stays with the two documented layers and, when the switch is on, Reason adds it as an additional finding. Disable-OutlookQrSignin -IncludeOwaAccountTransfer turns it off.

Drift (-BaselinePath): the cmdlet compares the tenant with a baseline snapshot file, a small JSON document (schemaVersion 1) holding the prompt setting, AccountTransferEnabled of every Outlook on the web mailbox policy, the Conditional Access state with each policy that blocks authentication transfer and its exclusions (ids and names), the verdict, and the sign-in evidence of the last 30 days (users, sign-ins, newest sign-in time). It returns one OutlookQrGuard.Model.DriftDifference per change (Severity, What, From, To, Path) instead of the check result, and nothing when nothing changed. Severity Worse means more exposed than at the baseline: the verdict moved towards Exposed (Blocked, BlockedWithExclusions, PromptHidden, ReportOnly, Exposed) or became Unknown, the prompt was turned on, AccountTransferEnabled was turned on (or a policy with it on appeared), a blocking policy was removed, disabled, set to report-only or narrowed, a user, group, role or guest type was excluded, a layer could no longer be read, or newer QR-code sign-ins (or more users) appeared in the sign-in logs. Each Worse change is also a warning. Better, Changed (no direction) and Info (renames, counts that moved with the rolling window) complete the list. With -Quiet and -BaselinePath the cmdlet returns $true when nothing got worse since the baseline and $false when something did.

A missing baseline file is the first run: nothing is compared, and -UpdateBaseline writes it. -UpdateBaseline writes the current snapshot after comparing, through a temporary file in the same folder renamed over the old one, so a failed write keeps the old file. A baseline that is not valid JSON, has another schemaVersion, or was taken in another tenant stops the command with an error naming the file, and the file is never overwritten. The file holds ids, names, states and counts, no secret.
'@
    Parameters  = @{
        BaselinePath   = 'The baseline snapshot file (JSON) to compare the tenant with. The cmdlet then returns the differences (DriftDifference objects) instead of the check result. A missing file is the first run: nothing is compared (-UpdateBaseline writes it). Alias: -Baseline.'
        UpdateBaseline = 'After comparing, writes the current snapshot over -BaselinePath (atomically; never over a file that could not be read as a baseline of this tenant). Supports -WhatIf and -Confirm. Requires -BaselinePath.'
        Quiet   = 'Returns only $true or $false instead of the result object: $false when an enforced Conditional Access policy blocks authentication transfer for everyone or the prompt is hidden, $true otherwise (a QR-code sign-in can still be put to use). It does not read the OWA mailbox policy layer (no mailbox scan), which never changes the answer.'
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
        @{
            Title   = 'Watch for drift: fail when the tenant got worse since the baseline'
            Code    = @'
$changes = Test-OutlookQrSignin -BaselinePath .\contoso-qr-baseline.json
$changes | Format-Table
if ($changes.Severity -contains 'Worse') { throw 'The QR sign-in posture got worse since the baseline.' }
Test-OutlookQrSignin -BaselinePath .\contoso-qr-baseline.json -UpdateBaseline -Quiet
'@
            Remarks = 'The first call lists what changed (nothing on an unchanged tenant; a warning says there is no baseline on the first run). The last call accepts the current state as the new baseline and returns $true when nothing got worse. examples/AzureAutomation-Runbook.ps1 does this on a schedule.'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Block-OutlookAuthenticationTransfer', 'Get-OutlookQrSigninEvidence', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
