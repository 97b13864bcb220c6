using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>A Conditional Access policy whose grant blocks authentication transfer, as the engine read it.</summary>
public sealed class TransferBlockPolicy
{
    internal TransferBlockPolicy(TransferPolicy p)
    {
        Id = p.id;
        DisplayName = p.display_name;
        State = p.state;
        AllUsers = p.all_users;
        AllApplications = p.all_applications;
        AllClientAppTypes = p.all_client_app_types;
        ExcludedUsers = p.excluded_users.Select(r => new DirectoryObject(r)).ToArray();
        ExcludedGroups = p.excluded_groups.Select(r => new DirectoryObject(r)).ToArray();
        ExcludedRoles = p.excluded_roles.Select(r => new DirectoryObject(r)).ToArray();
        CreatedByModule = p.created_by_module;
    }

    public string Id { get; }
    public string DisplayName { get; }

    /// <summary>enabled, enabledForReportingButNotEnforced (report-only) or disabled.</summary>
    public string State { get; }
    public bool AllUsers { get; }
    public bool AllApplications { get; }
    public bool AllClientAppTypes { get; }
    public DirectoryObject[] ExcludedUsers { get; }
    public DirectoryObject[] ExcludedGroups { get; }
    public DirectoryObject[] ExcludedRoles { get; }

    /// <summary>True for the policy Block-OutlookAuthenticationTransfer made (the one Unblock removes).</summary>
    public bool CreatedByModule { get; }

    /// <summary>Every exclusion, users then groups then roles.</summary>
    public DirectoryObject[] Exclusions => ExcludedUsers.Concat(ExcludedGroups).Concat(ExcludedRoles).ToArray();

    public override string ToString() => $"{DisplayName} ({State})";
}
