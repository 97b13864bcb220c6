using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Registers the native-library resolver once per process. Import-Module -Force runs OnImport
/// again, and SetDllImportResolver throws on a second registration, hence the flag.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _registered;

    public void OnImport() => RegisterResolver();

    // The engine stays (see NativeEngine); only this runspace's sessions are closed.
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionStore.CloseThisRunspace();

    internal static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(OutlookQrGuard.Native.Interop).Assembly, Resolve);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != OutlookQrGuard.Native.Interop.NativeLib) return IntPtr.Zero;
        // The module folder, not AppContext.BaseDirectory (that is $PSHOME).
        var moduleBase = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;
        var candidates = NativeLibraryLocator.CandidatePaths(
            moduleBase, NativeLibraryLocator.CurrentOs(), RuntimeInformation.ProcessArchitecture, NativeLibraryLocator.CurrentIsMusl());
        var found = NativeLibraryLocator.Find(candidates, File.Exists)
            ?? throw new DllNotFoundException(NativeLibraryLocator.NotFoundMessage(candidates));
        return NativeLibrary.Load(found);
    }
}
