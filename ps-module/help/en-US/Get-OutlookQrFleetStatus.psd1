@{
    Synopsis    = 'Checks many tenants in one run: the QR-code sign-in verdict per layer, the sign-in evidence counts and the would-be-blocked summary, one row per tenant.'
    Description = @'
Get-OutlookQrFleetStatus is for administrators of several Microsoft 365 tenants (a managed service provider, a group of companies). For each session it reads what Test-OutlookQrSignin reads (the "Get Outlook mobile" prompt and the Conditional Access block of authentication transfer), the AccountTransferEnabled switch of the Outlook on the web mailbox policies, and the last 30 days of authentication-transfer sign-ins (as Get-OutlookQrSigninEvidence), and returns one row per tenant.

The tenants are checked side by side, at most -ThrottleLimit at once (4 by default), in the native engine: no runspaces or jobs are needed, and each tenant's own throttling still applies to its requests. Rows come back in the order the sessions came in.

A tenant that fails does not stop the others: its row has Verdict Error (when its Exchange half could not be read) and Errors says what could not be read and why, one sentence per layer (for example a missing Graph permission or licence for the sign-in logs, with the other layers still answered).

Each row has Tenant, Organization, Verdict (Exposed, ReportOnly, BlockedWithExclusions, PromptHidden, Blocked, Unknown or Error), Prompt, ConditionalAccess, OwaAccountTransfer, EvidenceAvailable, TransferUsers, TransferSignins, NewestTransfer, WouldBeBlockedUsers and WouldBeBlockedNote, Errors, StartedAfter and Elapsed, and the Session it was checked with, so rows can be piped on to any cmdlet of the module (Where-Object Verdict -eq Exposed | Disable-OutlookQrSignin). WouldBeBlockedUsers is, for a tenant whose authentication-transfer block is report-only, the number of users it would have blocked in the last 30 days (what Get-OutlookQrBlockImpact lists), and WouldBeBlockedNote its recommendation; for other tenants it is empty and the note says why (no report-only block, or Conditional Access could not be read).

Pipe the rows to Get-OutlookQrGuardReport for one HTML (or JSON) page over the whole fleet, worst tenants first.

It only reads; it changes nothing.
'@
    Parameters  = @{
        Session       = 'The tenants'' sessions, as returned by Connect-OutlookQrGuard (for example Import-Csv tenants.csv | Connect-OutlookQrGuard). When omitted, every session connected in this runspace and still open is checked.'
        ThrottleLimit = 'How many tenants are checked at once, 1 to 64 (default 4). 1 checks them one after another.'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookQrGuardSession')
    Examples    = @(
        @{
            Title   = 'Check every tenant of a CSV'
            Code    = @'
Import-Csv .\tenants.csv |
    Connect-OutlookQrGuard -CertificatePassword $pfxPassword -ErrorVariable failed |
    Get-OutlookQrFleetStatus -ThrottleLimit 8 |
    Format-Table
'@
            Remarks = 'tenants.csv has the columns Organization, AppId, CertificateThumbprint, CertificatePath and ManagedIdentity. A tenant that cannot connect is reported as an error (kept in $failed) and the others are checked.'
        }
        @{
            Title   = 'One page for the whole fleet'
            Code    = 'Get-OutlookQrFleetStatus | Get-OutlookQrGuardReport -Path .\fleet.html'
            Remarks = 'Checks every session connected in this runspace and writes one HTML page, worst tenants first.'
        }
        @{
            Title   = 'Hide the prompt wherever it is still shown'
            Code    = 'Get-OutlookQrFleetStatus | Where-Object Verdict -eq Exposed | Disable-OutlookQrSignin'
            Remarks = 'Each row carries its session, which Disable-OutlookQrSignin takes from the pipeline.'
        }
    )
    Links       = @('Connect-OutlookQrGuard', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Get-OutlookQrGuardReport')
}
