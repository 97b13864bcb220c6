using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Disconnect-OutlookQrGuard: forgets a session and its tokens.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "OutlookQrGuard")]
[OutputType(typeof(void))]
public sealed class DisconnectOutlookQrGuardCommand : OutlookQrGuardCmdlet
{
    /// <summary>The session to close; the current one when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public OutlookQrGuardSession? Session { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session ?? SessionStore.Current;
        if (session is null) return;
        try
        {
            NativeEngine.Instance.Disconnect(session.Id);
        }
        catch (OutlookQrGuard.Native.EnumException<OutlookQrGuard.Native.Error> e)
        {
            ThrowNativeError(NativeErrorMapper.FromNative(e.Value), session);
        }
        session.IsConnected = false;
        SessionStore.Forget(session);
        WriteVerbose($"Disconnected from {session}.");
    }
}
