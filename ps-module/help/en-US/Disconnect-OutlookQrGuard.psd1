@{
    Synopsis    = 'Ends an OutlookQrGuard session and drops its tokens.'
    Description = @'
Disconnect-OutlookQrGuard forgets a session that Connect-OutlookQrGuard opened: its access tokens are removed from memory and the session object's IsConnected becomes False. Without -Session it ends the current session (the most recent connection); afterwards there is no current session, even if other sessions are still open, so pass those with -Session.

It does not sign anyone out at Entra ID and does not revoke any token: tokens already issued stay valid until they expire, but this PowerShell process no longer holds them. It does not change anything in the tenant.

When there is no session to end, it does nothing and reports no error, so it is safe at the end of every script or runbook.
'@
    Parameters  = @{
        Session = 'The session to end, as returned by Connect-OutlookQrGuard. It can come from the pipeline. By default the current session is ended.'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookQrGuardSession')
    Examples    = @(
        @{
            Title   = 'End the current session'
            Code    = 'Disconnect-OutlookQrGuard'
            Remarks = 'The next OutlookQrGuard cmdlet reports that you are not connected until you run Connect-OutlookQrGuard again.'
        }
        @{
            Title   = 'Always disconnect at the end of a runbook'
            Code    = @'
Connect-OutlookQrGuard -ManagedIdentity -Organization contoso.onmicrosoft.com
try {
    Export-OutlookMobileDevice -Path (Join-Path ([IO.Path]::GetTempPath()) 'outlook-mobile.csv') -Force
}
finally {
    Disconnect-OutlookQrGuard
}
'@
            Remarks = 'The finally block runs even when the export fails, so the tokens do not outlive the job.'
        }
        @{
            Title   = 'End one of several sessions'
            Code    = @'
$fabrikam = Connect-OutlookQrGuard -Organization fabrikam.onmicrosoft.com -ManagedIdentity
$fabrikam | Disconnect-OutlookQrGuard -Verbose
$fabrikam.IsConnected
'@
            Remarks = 'Ends only that session and shows False. -Verbose names the session it ended.'
        }
    )
    Links       = @('Connect-OutlookQrGuard')
}
