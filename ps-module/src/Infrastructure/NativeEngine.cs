using System;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// The process-wide native engine (it owns the Tokio runtime and the HTTP connection pools).
/// Created on first use, disposed when the module is removed.
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

    internal static void Shutdown()
    {
        lock (Gate)
        {
            _engine?.Dispose();
            _engine = null;
        }
    }
}
