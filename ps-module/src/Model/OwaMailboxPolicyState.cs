using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>An Outlook on the web mailbox policy's AccountTransferEnabled switch and how many mailboxes it applies to.</summary>
public sealed class OwaMailboxPolicyState
{
    internal OwaMailboxPolicyState(OwaPolicyState p)
    {
        Name = p.name;
        IsDefault = p.is_default;
        AccountTransferEnabled = p.account_transfer_enabled;
        Mailboxes = (long)p.mailboxes;
    }

    public string Name { get; }
    public bool IsDefault { get; }

    /// <summary>Null when the service did not report it (the documented default is True).</summary>
    public bool? AccountTransferEnabled { get; }

    /// <summary>Mailboxes the policy applies to; for the default policy, including mailboxes with no policy assigned.</summary>
    public long Mailboxes { get; }

    public override string ToString() => $"{Name} ({(AccountTransferEnabled is null ? "?" : AccountTransferEnabled.Value ? "True" : "False")}, {Mailboxes})";
}
