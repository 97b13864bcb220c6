using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using OutlookQrGuard.Infrastructure;
using Xunit;

namespace OutlookQrGuard.Tests;

/// <summary>
/// How Connect-OutlookQrGuard -Interactive opens the browser on Linux/macOS: $BROWSER (each
/// colon-separated entry in turn, %s for the URL, no shell), else xdg-open/open.
/// </summary>
[Collection("Environment")] // these tests set $BROWSER for the process
public sealed class SystemBrowserTests : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable("BROWSER");
    private readonly string _dir = Directory.CreateTempSubdirectory("oqg-browser-").FullName;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("BROWSER", _saved);
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A launcher script that writes its arguments to a file and exits with <paramref name="exitCode"/>.</summary>
    private string Launcher(string name, int exitCode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > \"{path}.args\"\nexit {exitCode}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static string WaitForFile(string path)
    {
        for (var i = 0; i < 50 && !File.Exists(path); i++) Thread.Sleep(100);
        return File.ReadAllText(path).Trim();
    }

    [Fact]
    public void Browser_variable_gets_the_url_as_one_argument()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return; // $BROWSER is not used there
        var launcher = Launcher("ok", 0);
        Environment.SetEnvironmentVariable("BROWSER", launcher);
        const string url = "https://login.example/t/oauth2/v2.0/authorize?a=1&b=two words";
        Assert.True(SystemBrowser.TryOpen(url));
        Assert.Equal(url, WaitForFile(launcher + ".args"));
    }

    [Fact]
    public void A_failing_entry_falls_through_to_the_next_and_percent_s_is_replaced()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        var failing = Launcher("fails", 3);
        var second = Launcher("second", 0);
        Environment.SetEnvironmentVariable("BROWSER", $"{failing}:{second} --new-window %s");
        Assert.True(SystemBrowser.TryOpen("https://login.example/x"));
        Assert.Equal("--new-window\nhttps://login.example/x", WaitForFile(second + ".args"));
    }

    [Fact]
    public void Nothing_that_can_open_it_means_false()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        Environment.SetEnvironmentVariable("BROWSER", Path.Combine(_dir, "does-not-exist"));
        Assert.False(SystemBrowser.TryOpen("https://login.example/x"));
        Environment.SetEnvironmentVariable("BROWSER", Launcher("fails", 1));
        Assert.False(SystemBrowser.TryOpen("https://login.example/x"));
    }

    [Fact]
    public void Only_http_and_https_urls_are_opened()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        var launcher = Launcher("ok", 0);
        Environment.SetEnvironmentVariable("BROWSER", launcher);
        Assert.False(SystemBrowser.TryOpen("file:///etc/passwd"));
        Assert.False(SystemBrowser.TryOpen("--help"));
        Assert.False(File.Exists(launcher + ".args"));
    }
}
