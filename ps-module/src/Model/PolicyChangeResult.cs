using System;
using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>What Block-/Unblock-OutlookAuthenticationTransfer did (or, with Action None, why nothing was needed).</summary>
public sealed class PolicyChangeResult
{
    private PolicyChangeResult(string action, bool changed, string policyId, string displayName, string state,
        DirectoryObject[] users, DirectoryObject[] groups, string reason, string[] warnings)
    {
        Action = action;
        Changed = changed;
        PolicyId = policyId;
        DisplayName = displayName;
        State = state;
        ExcludedUsers = users;
        ExcludedGroups = groups;
        Reason = reason;
        Warnings = warnings;
    }

    /// <summary>The plan's own answer when there was nothing to apply.</summary>
    internal static PolicyChangeResult Unchanged(PolicyPlan plan) => new(
        plan.action, false, plan.policy_id, plan.display_name, plan.current_state,
        plan.excluded_users.Select(r => new DirectoryObject(r)).ToArray(),
        plan.excluded_groups.Select(r => new DirectoryObject(r)).ToArray(),
        plan.reason, Array.Empty<string>());

    internal static PolicyChangeResult Applied(PolicyPlan plan, PolicyChange change) => new(
        change.action, change.changed, change.policy_id, change.display_name, change.state,
        change.excluded_users.Select(r => new DirectoryObject(r)).ToArray(),
        change.excluded_groups.Select(r => new DirectoryObject(r)).ToArray(),
        plan.reason, change.warnings.ToArray());

    /// <summary>Create, Update, Delete or None.</summary>
    public string Action { get; }

    /// <summary>False when the tenant already held what was asked (nothing was written).</summary>
    public bool Changed { get; }

    public string PolicyId { get; }
    public string DisplayName { get; }

    /// <summary>The policy's state afterwards: enabled, enabledForReportingButNotEnforced, or empty once deleted.</summary>
    public string State { get; }

    public DirectoryObject[] ExcludedUsers { get; }
    public DirectoryObject[] ExcludedGroups { get; }

    /// <summary>Why this action (or why none) was chosen.</summary>
    public string Reason { get; }

    public string[] Warnings { get; }

    public override string ToString() => $"{Action}: {DisplayName} ({State})";
}
