using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Test-OutlookQrSignin: both layers of the QR-code sign-in — does Outlook on the web show the
/// "Get Outlook mobile" prompt, and does Conditional Access block authentication transfer?
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "OutlookQrSignin", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PSObject), typeof(bool))]
public sealed partial class TestOutlookQrSigninCommand : SessionCmdlet
{
    /// <summary>Return only the engine's "exposed" answer ($true: a QR sign-in can still be put to use).</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        if (CompareWithBaseline(session)) return;
        try
        {
            using var checkWire = RunNative((events, ct) => NativeEngine.Instance.CheckPrompt(session.Id, !Quiet, events.Log, ct));
            var check = checkWire.Unwire();
            foreach (var w in check.warnings) WriteWarning(w);
            WriteVerbose(string.Format(Messages.ConditionalAccessVerbose, check.conditional_access.state, check.conditional_access.policies.Count, check.conditional_access.reason));
            if (Quiet) WriteObject(check.exposed);
            else WriteObject(WithBlockImpact(SigninCheckResult.From(check), check, session));
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
        }
    }
}
