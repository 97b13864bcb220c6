@{
    Synopsis    = 'Creates the Conditional Access policy that blocks authentication transfer (the Outlook QR-code sign-in) for all users at Entra ID: report-only first, enforced with -Enforce.'
    Description = @'
Block-OutlookAuthenticationTransfer closes the QR-code sign-in at the identity provider. Hiding the prompt in Outlook on the web (Disable-OutlookQrSignin) is one layer; the QR code itself is an Entra ID flow called authentication transfer, and a Conditional Access policy can block it for every client. The policy this cmdlet makes is named "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)" and targets all users, all cloud apps and all client app types, with the authentication flow condition "authentication transfer" and the grant control Block.

It works in two steps. First it plans: it reads the tenant's Conditional Access policies, resolves -ExcludeUser and -ExcludeGroup to object IDs, and decides what to do, writing nothing. Then, after -WhatIf or -Confirm (the cmdlet's impact is High, so PowerShell asks by default), it sends exactly the request it showed:

- Create: no policy of this module exists and no other policy already blocks authentication transfer for everyone. The new policy is report-only (enabledForReportingButNotEnforced) unless -Enforce is given. Report-only lets you see in the sign-in logs who would have been blocked before anyone is.

- Update: the module's policy exists but differs from what was asked: -Enforce switches a report-only policy to enabled, and -ExcludeUser or -ExcludeGroup replace its exclusions. Without -Enforce an enabled policy is never turned back to report-only. If someone added conditions to the module's policy (device platforms, locations, device filters, client applications, risk levels, user actions, authentication contexts), the update clears every one of them explicitly: Microsoft Graph merges an update into the policy, so a condition left out of the request would stay. Role and guest/external-user exclusions someone added are kept. After the update the policy is read back; if it does not hold what was sent, the cmdlet fails with an error (PolicyReadBackMismatch) that names what differs.

- None: the tenant already holds what was asked, either the module's own policy or an equivalent policy someone else made. Nothing is sent and there is no confirmation prompt; the result says why. Running the cmdlet twice is therefore safe.

A policy someone else made is equivalent only when it passes the same coverage test as Test-OutlookQrSignin: it blocks authentication transfer for all users, all cloud apps and all client app types, with no narrowing condition (a policy for Android only, for some locations, or for risky sign-ins only is not equivalent), and it has no exclusion beyond the ones you asked for (excluded roles and excluded guests or external users count as exclusions). Otherwise the module creates its own policy, and the reason names the policies it did not take as equivalent and why.

The module knows its own policy by its name and its shape: the grant control Block alone, the authentication flow "authenticationTransfer" alone, no session controls. A policy that carries the module's name but has another shape (for example it requires MFA, or also blocks device code flow) is not modified: the cmdlet stops with an error (OwnPolicyShapeMismatch) that names the policy and what differs. Rename that policy in the Entra admin center, then run the cmdlet again.

If the answer to creating the policy is lost (a dropped connection, a broken reply, or a 5xx such as 503 from the service or a gateway), the create is not sent again blindly: the policies are read back to find whether it was made. If it was not found, the cmdlet fails with a warning; running it again is safe, because it plans from what exists.

-WhatIf shows the method, the path and the exact JSON body that would be sent, and writes nothing. Unknown users or groups, and a group name that matches more than one group, are refused before anything is written.

Exclusions are for break-glass (emergency access) accounts: each one is a way past the block, and Test-OutlookQrSignin names them in its verdict (BlockedWithExclusions).

Phones already connected: Microsoft's "Conditional Access: Authentication flows" page (protocol tracking) says sessions started through authentication transfer are protocol tracked: "Any protocol tracked sessions are subject to policy enforcement if a policy exists. Protocol tracking state is sustained through subsequent refreshes." So the enforced policy (not report-only) also stops the phones that were connected through the QR code, at their next token refresh, without signing those users out of anything else: the targeted remedy. Access tokens already issued stay valid until they expire. This is Microsoft's statement; the module has not verified it against a real tenant. For users who must be cut off now, or whose phones were connected another way, revoke their sessions with Revoke-OutlookMobileSignin.

Permissions: Policy.Read.All and Policy.ReadWrite.ConditionalAccess (application), plus Group.Read.All to resolve -ExcludeGroup by name and User.Read.All (or Directory.Read.All) for -ExcludeUser. Delegated callers also need the Conditional Access Administrator or Security Administrator role. Conditional Access needs Microsoft Entra ID P1; without it the service refuses and the error says so. The Exchange half (Disable-OutlookQrSignin, Get-OutlookMobileDevice, Revoke-OutlookMobileSignin) works without P1.

The result has Action (Create, Update or None), Changed, DisplayName, PolicyId, State, ExcludedUsers, ExcludedGroups, Reason and Warnings. Unblock-OutlookAuthenticationTransfer removes the policy again.
'@
    Parameters  = @{
        Enforce      = 'Creates the policy enabled (enforced) instead of report-only, or switches the module''s existing report-only policy to enabled. Without it a new policy is report-only and an enabled policy stays enabled.'
        ExcludeUser  = 'Users the policy leaves out, by user principal name or Entra object ID: typically one or two break-glass accounts. Each is resolved to its object ID before anything is written; an unknown user stops the cmdlet with an error naming it. When given, these replace the exclusions of the module''s existing policy.'
        ExcludeGroup = 'Groups the policy leaves out, by display name or object ID. A name that matches no group, or more than one group, stops the cmdlet with an error before anything is written (use the object ID to pick one). When given, these replace the group exclusions of the module''s existing policy.'
        Session      = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'See what would be created, then create the policy in report-only mode'
            Code    = @'
Block-OutlookAuthenticationTransfer -WhatIf
Block-OutlookAuthenticationTransfer -ExcludeUser breakglass@contoso.onmicrosoft.com -Confirm:$false
'@
            Remarks = 'The first line prints "What if: Create the Conditional Access policy ... POST /v1.0/identity/conditionalAccess/policies" followed by the JSON body, and writes nothing. The second creates the policy report-only, with the break-glass account excluded. Review the sign-in logs (Conditional Access, report-only results) for a while before enforcing.'
        }
        @{
            Title   = 'Enforce it once report-only has shown no surprises'
            Code    = 'Block-OutlookAuthenticationTransfer -Enforce -ExcludeGroup ''Break Glass Accounts'''
            Remarks = 'Asks for confirmation, then switches the module''s policy to enabled and excludes the members of the Break Glass Accounts group (instead of any earlier exclusions). Run it again and the result reads Action None, Changed False.'
        }
        @{
            Title   = 'Check the result'
            Code    = 'Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false; (Test-OutlookQrSignin).Verdict'
            Remarks = 'Blocked when the enforced policy has no exclusions, BlockedWithExclusions when it has some.'
        }
    )
    Links       = @('Unblock-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Disable-OutlookQrSignin', 'Connect-OutlookQrGuard')
}
