using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>What Enable/Disable-OutlookQrSignin -PassThru returns.</summary>
internal static class PromptChangeResult
{
    internal const string TypeName = "OutlookQrGuard.PromptChange";

    internal static PSObject From(PromptChange change)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.Properties.Add(new PSNoteProperty("Organization", change.organization));
        o.Properties.Add(new PSNoteProperty("MobileAppEducationEnabled", change.current));
        o.Properties.Add(new PSNoteProperty("PreviousValue", change.previous));
        o.Properties.Add(new PSNoteProperty("Changed", change.changed));
        return o;
    }
}
