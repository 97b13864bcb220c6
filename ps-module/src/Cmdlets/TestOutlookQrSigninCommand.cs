using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Test-OutlookQrSignin: does the tenant show the "Get Outlook mobile" QR prompt?</summary>
[Cmdlet(VerbsDiagnostic.Test, "OutlookQrSignin")]
[OutputType(typeof(PSObject), typeof(bool))]
public sealed class TestOutlookQrSigninCommand : SessionCmdlet
{
    /// <summary>Return only $true (prompt shown) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var session = ResolveSession();
        try
        {
            using var checkWire = RunNative((events, ct) => NativeEngine.Instance.CheckPrompt(session.Id, events.Log, ct));
            var check = checkWire.Unwire();
            if (Quiet) WriteObject(check.prompt_enabled == true);
            else WriteObject(SigninCheckResult.From(check));
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
    }
}
