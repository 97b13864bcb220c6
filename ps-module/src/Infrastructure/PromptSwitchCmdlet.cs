using System.Management.Automation;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Infrastructure;

/// <summary>Shared body of Enable- and Disable-OutlookQrSignin.</summary>
public abstract partial class PromptSwitchCmdlet : SessionCmdlet
{
    /// <summary>Return the resulting state.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected abstract bool Enable { get; }

    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        var value = Enable ? "True" : "False";
        if (ShouldProcess(session.Organization, $"Set MobileAppEducationEnabled to {value}"))
        {
            try
            {
                using var changeWire = RunNative((events, ct) => NativeEngine.Instance.SetPrompt(session.Id, Enable, events.Log, ct));
                var change = changeWire.Unwire();
                foreach (var w in change.warnings) WriteWarning(w);
                if (!change.changed) WriteVerbose(string.Format(Messages.AlreadyInState, value, change.organization));
                if (!Enable) WriteWarning(Messages.DisableWarning);
                if (PassThru) WriteObject(PromptChangeResult.From(change));
            }
            catch (OutlookQrGuardException e)
            {
                Fail(e, session);
            }
        }
        if (IncludeOwaAccountTransfer) SetOwaAccountTransfer(session);
    }
}
