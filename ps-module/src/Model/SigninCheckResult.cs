using System.Linq;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>
/// Builds Test-OutlookQrSignin's output: Organization, every MobileApp*/OutlookMobile* setting,
/// the Conditional Access half (state, reason, the policies that block authentication transfer and
/// their exclusions), the semi-documented OWA mailbox policy layer (AccountTransferEnabled per
/// policy, with mailbox counts) and the verdict, all as the engine decided them.
/// </summary>
internal static class SigninCheckResult
{
    internal const string TypeName = "OutlookQrGuard.SigninCheck";

    internal static PSObject From(SigninCheck check)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.Properties.Add(new PSNoteProperty("Organization", check.organization));
        foreach (var s in check.settings) o.Properties.Add(new PSNoteProperty(s.name, Value(s)));
        if (o.Properties["MobileAppEducationEnabled"] is null)
        {
            o.Properties.Add(new PSNoteProperty("MobileAppEducationEnabled", check.prompt_enabled));
        }
        o.Properties.Add(new PSNoteProperty("PromptEnabled", check.prompt_enabled));
        var ca = check.conditional_access;
        var policies = ca.policies.Select(p => new TransferBlockPolicy(p)).ToArray();
        o.Properties.Add(new PSNoteProperty("ConditionalAccessState", ca.state));
        o.Properties.Add(new PSNoteProperty("ConditionalAccessReason", ca.reason));
        o.Properties.Add(new PSNoteProperty("ConditionalAccessCode", ca.code));
        o.Properties.Add(new PSNoteProperty("TransferBlockPolicies", policies));
        // Named per policy, since an exclusion in a report-only policy differs from one in an enforced policy.
        o.Properties.Add(new PSNoteProperty("Exclusions", policies.SelectMany(p => p.Exclusions.Select(x => $"{x} in '{p.DisplayName}'")).ToArray()));
        AddOwaLayer(o, check.owa_account_transfer);
        o.Properties.Add(new PSNoteProperty("Exposed", check.exposed));
        o.Properties.Add(new PSNoteProperty("Verdict", check.verdict));
        o.Properties.Add(new PSNoteProperty("Reason", check.reason));
        return o;
    }

    // The third, semi-documented layer, grouped: an additional finding, not part of Verdict or Exposed.
    private static void AddOwaLayer(PSObject o, OwaLayerState owa)
    {
        o.Properties.Add(new PSNoteProperty("OwaAccountTransferState", owa.state));
        o.Properties.Add(new PSNoteProperty("OwaAccountTransferReason", owa.reason));
        o.Properties.Add(new PSNoteProperty("OwaAccountTransferCode", owa.code));
        o.Properties.Add(new PSNoteProperty("OwaAccountTransferDocumentation", owa.documentation));
        o.Properties.Add(new PSNoteProperty("OwaMailboxPolicies", owa.policies.Select(p => new OwaMailboxPolicyState(p)).ToArray()));
    }

    private static object? Value(NamedSetting s) => s.kind switch
    {
        0 => null,
        1 => s.flag,
        3 => decimal.TryParse(s.text, System.Globalization.NumberStyles.Any, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : s.text,
        _ => s.text,
    };
}
