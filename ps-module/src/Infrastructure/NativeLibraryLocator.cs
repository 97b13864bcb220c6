using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Where the native engine lives inside the module folder: runtimes/&lt;rid&gt;/native/&lt;file&gt;.
/// Pure functions of the platform facts, so every RID of the table is testable on one machine.
/// </summary>
internal static class NativeLibraryLocator
{
    internal const string LibraryName = "outlook_qr_guard";

    internal enum OsFamily { Windows, Linux, MacOS }

    internal static OsFamily CurrentOs() =>
        OperatingSystem.IsWindows() ? OsFamily.Windows
        : OperatingSystem.IsMacOS() ? OsFamily.MacOS
        : OsFamily.Linux;

    /// <summary>musl-based Linux (Alpine) reports it in the runtime identifier .NET was built for.</summary>
    internal static bool CurrentIsMusl() =>
        OperatingSystem.IsLinux() && RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase);

    internal static string FileName(OsFamily os) => os switch
    {
        OsFamily.Windows => LibraryName + ".dll",
        OsFamily.MacOS => "lib" + LibraryName + ".dylib",
        _ => "lib" + LibraryName + ".so",
    };

    internal static string ArchitectureName(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// RIDs to try, most specific first, following .NET's fallbacks: linux-musl-x64 falls back to
    /// linux-x64 (a glibc build will not load on musl, but the message then names both files);
    /// an x64 process on Windows/macOS ARM (emulated) uses the x64 build.
    /// </summary>
    internal static IReadOnlyList<string> RuntimeIdentifiers(OsFamily os, Architecture architecture, bool isMusl)
    {
        var arch = ArchitectureName(architecture);
        var rids = new List<string>();
        switch (os)
        {
            case OsFamily.Windows:
                rids.Add($"win-{arch}");
                break;
            case OsFamily.MacOS:
                rids.Add($"osx-{arch}");
                break;
            default:
                if (isMusl) rids.Add($"linux-musl-{arch}");
                rids.Add($"linux-{arch}");
                break;
        }
        return rids;
    }

    internal static IReadOnlyList<string> CandidatePaths(string moduleBase, OsFamily os, Architecture architecture, bool isMusl)
    {
        var file = FileName(os);
        var paths = new List<string>();
        foreach (var rid in RuntimeIdentifiers(os, architecture, isMusl))
        {
            paths.Add(Path.Combine(moduleBase, "runtimes", rid, "native", file));
        }
        return paths;
    }

    /// <summary>The first candidate that exists, or null; never the current directory or PATH.</summary>
    internal static string? Find(IReadOnlyList<string> candidates, Func<string, bool> exists)
    {
        foreach (var candidate in candidates)
        {
            if (exists(candidate)) return candidate;
        }
        return null;
    }

    internal static string NotFoundMessage(IReadOnlyList<string> candidates) =>
        "OutlookQrGuard could not find its native engine for this platform (" + RuntimeInformation.OSDescription.Trim() + ", "
        + ArchitectureName(RuntimeInformation.ProcessArchitecture) + "). Looked for: " + string.Join("; ", candidates)
        + ". Reinstall the module from the gallery package, which carries builds for win-x64, win-arm64, linux-x64, linux-arm64, osx-x64 and osx-arm64.";
}
