using System.Management.Automation;
using OutlookQrGuard.Infrastructure;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Enable-OutlookQrSignin: shows the prompt again. High impact: it reopens the QR sign-in.</summary>
[Cmdlet(VerbsLifecycle.Enable, "OutlookQrSignin", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PSObject))]
public sealed class EnableOutlookQrSigninCommand : PromptSwitchCmdlet
{
    private protected override bool Enable => true;
}
