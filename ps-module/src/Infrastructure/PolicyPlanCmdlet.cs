using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Shared body of Block- and Unblock-OutlookAuthenticationTransfer: the engine plans (reads and
/// resolves, writes nothing), the admin sees exactly what would be sent, and only then the engine
/// applies that same plan. A plan with nothing to do is returned without asking.
/// </summary>
public abstract class PolicyPlanCmdlet : SessionCmdlet
{
    private protected abstract Task<WireOfPolicyPlan> Plan(OutlookQrGuardSession session, NativeEventQueue events, CancellationToken ct);

    protected override void ProcessRecord()
    {
        var session = ResolveSession();
        try
        {
            PolicyPlan plan;
            using (var planWire = RunNative((events, ct) => Plan(session, events, ct))) plan = planWire.Unwire();
            WriteVerbose(plan.reason);
            if (plan.action == "None")
            {
                WriteObject(PolicyChangeResult.Unchanged(plan));
                return;
            }
            var description = Describe(plan, session);
            if (!ShouldProcess(description, description, MyInvocation.MyCommand.Name)) return;
            var wire = plan.Wire(); // ownership passes to the engine
            using var changeWire = RunNative((events, ct) => NativeEngine.Instance.ApplyPolicyPlan(session.Id, wire, events.Log, ct));
            var change = changeWire.Unwire();
            foreach (var w in change.warnings) WriteWarning(w);
            WriteObject(PolicyChangeResult.Applied(plan, change));
        }
        catch (OutlookQrGuardException e)
        {
            // An exclusion the directory does not know is the thing to fix: make it the target.
            Fail(e, e.Target.Length > 0 ? e.Target : session);
        }
    }

    // What -WhatIf and -Confirm show: the action, then the request itself, body verbatim.
    private static string Describe(PolicyPlan plan, OutlookQrGuardSession session)
    {
        var action = plan.action switch
        {
            "Create" => string.Format(CultureInfo.CurrentCulture, Messages.PlanCreate, plan.display_name, plan.target_state, session.Organization),
            "Update" => string.Format(CultureInfo.CurrentCulture, Messages.PlanUpdate, plan.display_name, plan.current_state, plan.target_state, session.Organization),
            "Delete" => string.Format(CultureInfo.CurrentCulture, Messages.PlanDelete, plan.display_name, plan.current_state, session.Organization),
            _ => plan.action,
        };
        var request = plan.body.Length > 0 ? $"{plan.method} {plan.path}\n{plan.body}" : $"{plan.method} {plan.path}";
        return $"{action}\n{request}";
    }
}
