using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using OutlookQrGuard.Infrastructure;
using Xunit;
using Os = OutlookQrGuard.Infrastructure.NativeLibraryLocator.OsFamily;

namespace OutlookQrGuard.Tests;

public class NativeLibraryLocatorTests
{
    private static readonly string Base = Path.Combine("m", "OutlookQrGuard");

    [Theory]
    [InlineData(Os.Windows, Architecture.X64, false, "win-x64", "outlook_qr_guard.dll")]
    [InlineData(Os.Windows, Architecture.Arm64, false, "win-arm64", "outlook_qr_guard.dll")]
    [InlineData(Os.Linux, Architecture.X64, false, "linux-x64", "liboutlook_qr_guard.so")]
    [InlineData(Os.Linux, Architecture.Arm64, false, "linux-arm64", "liboutlook_qr_guard.so")]
    [InlineData(Os.MacOS, Architecture.X64, false, "osx-x64", "liboutlook_qr_guard.dylib")]
    [InlineData(Os.MacOS, Architecture.Arm64, false, "osx-arm64", "liboutlook_qr_guard.dylib")]
    internal void First_candidate_is_the_platform_rid(Os os, Architecture arch, bool musl, string rid, string file)
    {
        var candidates = NativeLibraryLocator.CandidatePaths(Base, os, arch, musl);
        Assert.Equal(Path.Combine(Base, "runtimes", rid, "native", file), candidates[0]);
        Assert.Single(candidates);
    }

    [Fact]
    public void Musl_linux_falls_back_to_the_glibc_build()
    {
        var candidates = NativeLibraryLocator.CandidatePaths(Base, Os.Linux, Architecture.X64, isMusl: true);
        Assert.Equal(new[] { "linux-musl-x64", "linux-x64" }, candidates.Select(c => c.Split(Path.DirectorySeparatorChar)[^3]).ToArray());
    }

    [Fact]
    public void Find_takes_the_first_existing_candidate_and_never_guesses()
    {
        var candidates = NativeLibraryLocator.CandidatePaths(Base, Os.Linux, Architecture.Arm64, isMusl: true);
        Assert.Equal(candidates[1], NativeLibraryLocator.Find(candidates, p => p == candidates[1]));
        Assert.Null(NativeLibraryLocator.Find(candidates, _ => false));
    }

    [Fact]
    public void Not_found_message_names_every_path_looked_at()
    {
        var candidates = NativeLibraryLocator.CandidatePaths(Base, Os.Linux, Architecture.X64, isMusl: true);
        var message = NativeLibraryLocator.NotFoundMessage(candidates);
        foreach (var c in candidates) Assert.Contains(c, message);
        Assert.Contains("win-arm64", message);
    }
}
