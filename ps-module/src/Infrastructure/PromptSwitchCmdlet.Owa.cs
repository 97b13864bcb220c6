using System.Globalization;
using System.Management.Automation;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// -IncludeOwaAccountTransfer: AccountTransferEnabled on every Outlook on the web mailbox policy
/// (semi-documented), never set without the switch. The engine plans (reads, writes nothing);
/// each policy that differs is confirmed on its own at High impact, then set by the engine,
/// which reads it again and writes only when it still differs.
/// </summary>
public abstract partial class PromptSwitchCmdlet
{
    /// <summary>Also set AccountTransferEnabled on every OWA mailbox policy (semi-documented; High impact).</summary>
    [Parameter]
    public SwitchParameter IncludeOwaAccountTransfer { get; set; }

    private bool _yesToAll;
    private bool _noToAll;

    private void SetOwaAccountTransfer(OutlookQrGuardSession session)
    {
        var value = Enable ? "True" : "False";
        WriteWarning(Messages.OwaSemiDocumentedWarning);
        OwaTransferPlan plan;
        try
        {
            using var planWire = RunNative((events, ct) => NativeEngine.Instance.PlanOwaAccountTransfer(session.Id, Enable, events.Log, ct));
            plan = planWire.Unwire();
        }
        catch (OutlookQrGuardException e)
        {
            Fail(e, session);
            return;
        }
        foreach (var row in plan.policies)
        {
            if (!row.changed)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.OwaAlreadyInState, row.policy, value));
                // -WhatIf returns nothing, as for the policies it would change.
                if (!WhatIfRequested) WriteObject(OwaPolicyChangeResult.From(row));
                continue;
            }
            var action = string.Format(CultureInfo.CurrentCulture, Messages.OwaSetAction, value, Shown(row.previous));
            if (!ShouldProcessHighImpact(row.policy, action)) continue;
            try
            {
                var request = new OwaPolicySet { policy = row.policy, enabled = Enable }.Wire();
                using var changeWire = RunNative((events, ct) => NativeEngine.Instance.SetOwaAccountTransfer(session.Id, request, events.Log, ct));
                var change = changeWire.Unwire();
                foreach (var w in change.warnings) WriteWarning(w);
                if (!change.changed) WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.OwaAlreadyInState, change.policy, value));
                WriteObject(OwaPolicyChangeResult.From(change));
            }
            catch (OutlookQrGuardException e)
            {
                // One policy refused (a role without Set-OwaMailboxPolicy, a policy removed
                // since the plan): say which, and go on with the others.
                WriteNativeError(e, row.policy);
            }
        }
    }

    private bool WhatIfRequested =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
            ? w is SwitchParameter sw ? sw.IsPresent : w is true
            : GetVariableValue("WhatIfPreference") switch { SwitchParameter p => p.IsPresent, bool b => b, _ => false };

    private static string Shown(bool? v) => v is null ? Messages.OwaNotReported : v.Value ? "True" : "False";

    /// <summary>
    /// ShouldProcess at High impact for this path while the cmdlet keeps its own impact for the
    /// prompt: -WhatIf and -Confirm behave as usual; otherwise, when the cmdlet's impact is below
    /// $ConfirmPreference (so ShouldProcess did not ask) but High is not, ask with ShouldContinue.
    /// -Confirm:$false (or $ConfirmPreference = 'None') skips the question.
    /// </summary>
    private bool ShouldProcessHighImpact(string target, string action)
    {
        if (!ShouldProcess(target, action)) return false;
        if (MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
        var preference = GetVariableValue("ConfirmPreference") is ConfirmImpact p ? p : ConfirmImpact.High;
        var own = ((CmdletAttribute)System.Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute))!).ConfirmImpact;
        var alreadyAsked = own >= preference;
        if (preference == ConfirmImpact.None || alreadyAsked) return true;
        var query = string.Format(CultureInfo.CurrentCulture, Messages.OwaConfirmQuery, action, target);
        return ShouldContinue(query, MyInvocation.MyCommand.Name, ref _yesToAll, ref _noToAll);
    }
}
