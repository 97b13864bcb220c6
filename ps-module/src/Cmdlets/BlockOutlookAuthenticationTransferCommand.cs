using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Block-OutlookAuthenticationTransfer: the Conditional Access policy that blocks authentication
/// transfer (the QR-code sign-in) for all users and apps — report-only unless -Enforce.
/// </summary>
[Cmdlet(VerbsSecurity.Block, "OutlookAuthenticationTransfer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PolicyChangeResult))]
public sealed class BlockOutlookAuthenticationTransferCommand : PolicyPlanCmdlet
{
    /// <summary>Create the policy enabled, or switch the module's report-only policy to enabled.</summary>
    [Parameter]
    public SwitchParameter Enforce { get; set; }

    /// <summary>Users (UPN or object id) the policy leaves out, e.g. break-glass accounts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ExcludeUser { get; set; } = Array.Empty<string>();

    /// <summary>Groups (display name or object id) the policy leaves out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ExcludeGroup { get; set; } = Array.Empty<string>();

    private protected override Task<WireOfPolicyPlan> Plan(OutlookQrGuardSession session, NativeEventQueue events, CancellationToken ct)
    {
        var request = new BlockRequest
        {
            enforce = Enforce,
            exclude_users = ExcludeUser.Select(u => u.Trim()).ToList(),
            exclude_groups = ExcludeGroup.Select(g => g.Trim()).ToList(),
        }.Wire(); // ownership passes to the engine
        return NativeEngine.Instance.PlanBlock(session.Id, request, events.Log, ct);
    }
}
