@{
    Synopsis    = 'Shows what enforcing the report-only block of authentication transfer would break: the users and apps whose sign-ins it would have blocked.'
    Description = @'
Get-OutlookQrBlockImpact answers the question to ask before Block-OutlookAuthenticationTransfer -Enforce. While a Conditional Access policy that blocks authentication transfer is report-only, Entra ID evaluates it at every sign-in and records the result in the sign-in log (appliedConditionalAccessPolicies). A result of reportOnlyFailure means the policy would have blocked that sign-in. The cmdlet reads the sign-in logs of the window (Microsoft Graph, beta auditLogs/signIns) and returns one object per user and app with the number of such sign-ins and the first and last time.

It looks at every report-only policy that blocks authentication transfer: the module's own policy and any other. When there is none, it stops with an error that says so (Block-OutlookAuthenticationTransfer creates one); a policy made today has no results yet.

Microsoft Graph returns the report-only results (reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted) only to clients that send the request header "Prefer: include-unknown-enum-members"; the cmdlet sends it. The sign-in log cannot filter on these results, so the cmdlet reads the authentication-transfer sign-ins of the window (the same query as Get-OutlookQrSigninEvidence, with its fallback when the service refuses the transfer-method filter) and checks each result on this computer. Only sign-ins whose session began with authentication transfer can be blocked by such a policy, so nothing is missed. Pages are read one at a time and the sign-ins are counted as they arrive: memory grows with the number of users and apps, not of sign-ins. Throttling is handled as for Get-OutlookQrSigninEvidence (Retry-After is honoured).

Each object has UserPrincipalName, UserId, UserDisplayName, App, AppId, SignIns, FirstSignIn and LastSignIn (UTC), Policies (the report-only policies that reported the block), ExcludedNow (the user is excluded from those policies now, so enforcing would not block them) and BreakGlass (the user is excluded from another enabled Conditional Access policy but not from this block: probably an emergency-access account that enforcing would lock out of authentication transfer). The objects are sorted by the last sign-in, newest first. A summary line follows: sign-ins, users, the window, excluded and likely break-glass accounts; -Verbose adds the recommendation.

Pipe the objects into Revoke-OutlookMobileSignin to revoke those users' sessions (each user once).

Excluded groups are read into their direct members (nested groups are not expanded; a group that cannot be read is named in a warning).

Permissions: AuditLog.Read.All and Policy.Read.All (application), and Group.Read.All for group exclusions. Without Policy.Read.All the service leaves appliedConditionalAccessPolicies out of the sign-ins; the cmdlet then warns and counts nothing for those sign-ins. The sign-in logs and Conditional Access need Microsoft Entra ID P1 or P2.
'@
    Parameters  = @{
        Since             = 'The start of the time window. The default is 30 days ago (the sign-in log retention). A time without a time zone is taken as local time.'
        Until             = 'The end of the time window. The default is now. Must be later than -Since.'
        UserPrincipalName = 'Only this user''s sign-ins, by user principal name or Entra object ID.'
        InteractiveOnly   = 'Only interactive sign-ins (the moment a QR code was used), not the app''s later non-interactive sign-ins.'
        Session           = 'The session to use, as returned by Connect-OutlookQrGuard. By default the current session (the most recent connection in this runspace; each ForEach-Object -Parallel iteration and thread job has its own) is used.'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Before enforcing: who would have been blocked in the last 30 days'
            Code    = 'Get-OutlookQrBlockImpact | Format-Table UserPrincipalName, App, SignIns, LastSignIn, BreakGlass, ExcludedNow'
            Remarks = 'One row per user and app, then a summary line. A BreakGlass row is an account excluded from other policies but not from this block: exclude it (Block-OutlookAuthenticationTransfer -ExcludeUser) before -Enforce.'
        }
        @{
            Title   = 'Revoke the sessions of the users the block would have stopped'
            Code    = 'Get-OutlookQrBlockImpact | Where-Object { -not $_.BreakGlass } | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'One revocation per user, however many apps and sign-ins they have. Remove -WhatIf to revoke.'
        }
        @{
            Title   = 'Only the last week, as totals'
            Code    = 'Get-OutlookQrBlockImpact -Since (Get-Date).AddDays(-7) | Measure-Object SignIns -Sum'
            Remarks = 'The summary line gives the same totals; Measure-Object makes them a value a script can test.'
        }
    )
    Links       = @('Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Revoke-OutlookMobileSignin')
}
