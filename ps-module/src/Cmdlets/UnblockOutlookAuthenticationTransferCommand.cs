using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Unblock-OutlookAuthenticationTransfer: deletes the policy Block-OutlookAuthenticationTransfer
/// made, and only that one (other policies that block authentication transfer stay).
/// </summary>
[Cmdlet(VerbsSecurity.Unblock, "OutlookAuthenticationTransfer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PolicyChangeResult))]
public sealed class UnblockOutlookAuthenticationTransferCommand : PolicyPlanCmdlet
{
    private protected override Task<WireOfPolicyPlan> Plan(OutlookQrGuardSession session, NativeEventQueue events, CancellationToken ct) =>
        NativeEngine.Instance.PlanUnblock(session.Id, events.Log, ct);
}
