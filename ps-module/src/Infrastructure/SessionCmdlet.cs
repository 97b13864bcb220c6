using System.Management.Automation;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Infrastructure;

/// <summary>Base of the cmdlets that work on a tenant: -Session, else the last one connected in this runspace.</summary>
public abstract class SessionCmdlet : OutlookQrGuardCmdlet
{
    /// <summary>
    /// The session to use; the most recent Connect-OutlookQrGuard in this runspace when omitted.
    /// From the pipeline: sessions (Connect-OutlookQrGuard's output) or objects with a Session
    /// property (Get-OutlookQrFleetStatus rows); each one is worked on in turn.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public virtual OutlookQrGuardSession? Session { get; set; }

    /// <summary>The session, or a terminating error that says to connect first.</summary>
    protected OutlookQrGuardSession ResolveSession()
    {
        var session = Session ?? SessionStore.Current;
        if (session is null || !session.IsConnected)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSInvalidOperationException(Messages.NotConnected),
                "OutlookQrGuard.NotConnected", ErrorCategory.ConnectionError, null));
        }
        return session!;
    }

    /// <summary>Terminating error for a native failure; the pipeline stops.</summary>
    protected void Fail(OutlookQrGuardException e, object? target = null) => ThrowNativeError(e, target);
}
