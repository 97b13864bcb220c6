using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>What Enable/Disable-OutlookQrSignin -IncludeOwaAccountTransfer returns per OWA mailbox policy.</summary>
internal static class OwaPolicyChangeResult
{
    internal const string TypeName = "OutlookQrGuard.OwaPolicyChange";

    internal static PSObject From(OwaPolicyChange change)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.Properties.Add(new PSNoteProperty("Policy", change.policy));
        o.Properties.Add(new PSNoteProperty("AccountTransferEnabled", change.current));
        o.Properties.Add(new PSNoteProperty("PreviousValue", change.previous));
        o.Properties.Add(new PSNoteProperty("Changed", change.changed));
        // "AlreadySet": nothing was sent for this policy (a second run, or a policy already so).
        o.Properties.Add(new PSNoteProperty("Status", change.changed ? "Changed" : "AlreadySet"));
        return o;
    }
}
