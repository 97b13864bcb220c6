using System;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Base of the cmdlets that walk the authentication-transfer sign-ins of a window
/// (Get-OutlookQrSigninEvidence, Get-OutlookQrBlockImpact): the same four parameters, the same
/// engine query.
/// </summary>
public abstract class SigninWindowCmdlet : SessionCmdlet
{
    /// <summary>Start of the window; the engine's default (30 days ago, the log retention) when omitted.</summary>
    [Parameter]
    public DateTime Since { get; set; }

    /// <summary>End of the window; now when omitted.</summary>
    [Parameter]
    public DateTime Until { get; set; }

    /// <summary>Only this user's sign-ins (UPN or object id).</summary>
    [Parameter]
    [Alias("UserId", "User")]
    [ValidateNotNullOrEmpty]
    public string? UserPrincipalName { get; set; }

    /// <summary>Only the interactive sign-ins (the scan itself), not the app's later token refreshes.</summary>
    [Parameter]
    public SwitchParameter InteractiveOnly { get; set; }

    /// <summary>
    /// The window as the engine takes it. Plain DateTime parameters (help shows &lt;DateTime&gt;);
    /// omitted ones go as null. The engine refuses an empty window (also -Until alone before the
    /// default start) before any request.
    /// </summary>
    protected EvidenceQuery BuildSigninWindowQuery()
    {
        DateTime? since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since.ToUniversalTime() : null;
        DateTime? until = MyInvocation.BoundParameters.ContainsKey(nameof(Until)) ? Until.ToUniversalTime() : null;
        return new EvidenceQuery
        {
            since_ticks = since?.Ticks,
            until_ticks = until?.Ticks,
            user = UserPrincipalName?.Trim(),
            interactive_only = InteractiveOnly,
        };
    }
}
