@{
    Synopsis    = 'Removes the Conditional Access policy that Block-OutlookAuthenticationTransfer created, and nothing else.'
    Description = @'
Unblock-OutlookAuthenticationTransfer deletes the module's own Conditional Access policy, "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)". Other policies are never touched, including other policies that block authentication transfer: if someone made an equivalent policy by hand, it stays, and the QR-code sign-in stays blocked.

The module knows its own policy by its name and its shape (the grant control Block alone, the authentication flow "authenticationTransfer" alone, no session controls). A policy that carries the module's name but has another shape is not deleted: the cmdlet stops with an error (OwnPolicyShapeMismatch) that names the policy and what differs.

Like Block-OutlookAuthenticationTransfer it plans first (reads the policies, writes nothing), then shows the request (DELETE and the policy's path) under -WhatIf or -Confirm; its impact is High, so PowerShell asks by default. When the module's policy does not exist there is nothing to do: the result reads Action None with the reason, and no confirmation is asked.

Permissions: Policy.Read.All and Policy.ReadWrite.ConditionalAccess (application); delegated callers also need the Conditional Access Administrator or Security Administrator role. The tenant needs Microsoft Entra ID P1 for Conditional Access.

The result has Action (Delete or None), Changed, DisplayName, PolicyId, State and Reason.
'@
    Parameters  = @{
        Session = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'See what would be deleted'
            Code    = 'Unblock-OutlookAuthenticationTransfer -WhatIf'
            Remarks = 'Prints "What if: Delete the Conditional Access policy ... DELETE /v1.0/identity/conditionalAccess/policies/<id>" and deletes nothing. When the module''s policy does not exist, it returns Action None instead.'
        }
        @{
            Title   = 'Remove the policy without a prompt (for example in a test tenant)'
            Code    = 'Unblock-OutlookAuthenticationTransfer -Confirm:$false | Format-List Action, Changed, DisplayName, Reason'
            Remarks = 'Deletes the module''s policy. Running it a second time returns Action None, Changed False.'
        }
    )
    Links       = @('Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin')
}
