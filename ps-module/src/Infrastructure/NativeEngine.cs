using System;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// The process-wide native engine (it owns the Tokio runtime and the HTTP connection pools).
/// Created on first use and kept for the life of the process: Remove-Module in one runspace
/// must not free it under a call still running in another (.NET never unloads the native
/// library either, so nothing is gained by disposing it).
/// </summary>
internal static class NativeEngine
{
    private static readonly object Gate = new();
    private static Engine? _engine;

    internal static Engine Instance
    {
        get
        {
            lock (Gate)
            {
                if (_engine is not null) return _engine;
                ModuleInitializer.RegisterResolver();
                try
                {
                    _engine = Engine.Create();
                }
                catch (TypeInitializationException e) when (e.InnerException is TypeLoadException)
                {
                    throw new InvalidOperationException(
                        "The native engine does not match this module's bindings (a stale outlook_qr_guard library?). Reinstall the module.", e);
                }
                return _engine;
            }
        }
    }

    /// <summary>Closes a session if the engine exists; used when a runspace's sessions close.</summary>
    internal static void TryDisconnect(ulong sessionId)
    {
        Engine? engine;
        lock (Gate) engine = _engine;
        if (engine is null) return;
        try
        {
            engine.Disconnect(sessionId);
        }
        catch (OutlookQrGuard.Native.EnumException<OutlookQrGuard.Native.Error>)
        {
            // Already closed: nothing left to forget.
        }
    }
}
