using System;
using System.Linq;
using System.Management.Automation.Host;

namespace OutlookQrGuard.Infrastructure;

/// <summary>Whether a person can answer at this host (device-code sign-in needs one).</summary>
internal static class InteractiveHost
{
    internal static bool IsInteractive(PSHost host)
    {
        if (!Environment.UserInteractive) return false;
        // Azure Automation runbooks and other job hosts.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AUTOMATION_ASSET_ACCOUNTID"))) return false;
        if (host.Name is "Default Host" or "ServerRemoteHost") return false;
        return !Environment.GetCommandLineArgs().Any(a =>
            a.Equals("-NonInteractive", StringComparison.OrdinalIgnoreCase) || a.Equals("-noni", StringComparison.OrdinalIgnoreCase));
    }
}
