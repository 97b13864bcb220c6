using System.Threading;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Infrastructure;

/// <summary>The default session: the last one connected in this process.</summary>
internal static class SessionStore
{
    private static OutlookQrGuardSession? _current;

    internal static OutlookQrGuardSession? Current => Volatile.Read(ref _current);

    internal static void SetCurrent(OutlookQrGuardSession session) => Volatile.Write(ref _current, session);

    internal static void Forget(OutlookQrGuardSession session) => Interlocked.CompareExchange(ref _current, null, session);
}
