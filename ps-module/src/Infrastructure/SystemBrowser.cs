using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Opens a URL in the admin's browser, as MSAL.NET's system-browser flow does
/// (PlatformProxyShared.StartDefaultOsBrowser: shell execute on Windows, <c>open</c> on macOS,
/// <c>xdg-open</c> on Linux). On Linux and macOS <c>$BROWSER</c> wins when set (the Debian/xdg
/// convention: a colon-separated list of commands, <c>%s</c> standing for the URL).
/// </summary>
internal static class SystemBrowser
{
    /// <summary>How long a launcher may take to say it failed before it counts as started.</summary>
    private static readonly TimeSpan LauncherVerdict = TimeSpan.FromSeconds(3);

    /// <summary>True when a browser (or the command in $BROWSER) was started with the URL.</summary>
    internal static bool TryOpen(string url)
    {
        if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("BROWSER");
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && !string.IsNullOrWhiteSpace(fromEnvironment))
            {
                foreach (var command in fromEnvironment.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (Launch(command, url)) return true;
                }
                return false;
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                using var p = Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
                return true;
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return Launch("open", url);
            }
            // Linux without a desktop session (SSH, containers): nothing to open; print the URL.
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
            {
                return false;
            }
            return Launch("xdg-open", url);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="command"/> with the URL as one argument (no shell).</summary>
    private static bool Launch(string command, string url)
    {
        var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = false, RedirectStandardError = false };
        if (command.Contains("%s", StringComparison.Ordinal))
        {
            var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            start.FileName = parts[0];
            for (var i = 1; i < parts.Length; i++) start.ArgumentList.Add(parts[i].Replace("%s", url, StringComparison.Ordinal));
        }
        else
        {
            start.FileName = command;
            start.ArgumentList.Add(url);
        }
        try
        {
            using var process = Process.Start(start);
            if (process is null) return false;
            // A launcher that gives up (no browser installed) exits non-zero at once; one still
            // running is the browser itself.
            if (process.WaitForExit(LauncherVerdict)) return process.ExitCode == 0;
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
