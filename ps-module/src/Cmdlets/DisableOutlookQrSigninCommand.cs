using System.Management.Automation;
using OutlookQrGuard.Infrastructure;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Disable-OutlookQrSignin: hides the "Get Outlook mobile" prompt (MobileAppEducationEnabled = False).</summary>
[Cmdlet(VerbsLifecycle.Disable, "OutlookQrSignin", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject))]
public sealed class DisableOutlookQrSigninCommand : PromptSwitchCmdlet
{
    private protected override bool Enable => false;
}
