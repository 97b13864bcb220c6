using System.Collections.Generic;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>Builds Test-OutlookQrSignin's output: Organization, every MobileApp*/OutlookMobile* setting, the verdict.</summary>
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
        o.Properties.Add(new PSNoteProperty("Verdict", check.verdict));
        o.Properties.Add(new PSNoteProperty("Reason", check.reason));
        return o;
    }

    private static object? Value(NamedSetting s) => s.kind switch
    {
        0 => null,
        1 => s.flag,
        3 => decimal.TryParse(s.text, System.Globalization.NumberStyles.Any, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : s.text,
        _ => s.text,
    };
}
