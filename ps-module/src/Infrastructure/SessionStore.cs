using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using OutlookQrGuard.Model;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// The default session, per runspace: ForEach-Object -Parallel iterations and thread jobs each
/// have their own runspace, so one connected to tenant A never hands its session to one working
/// on tenant B. Each runspace also remembers the sessions it connected, to close them when the
/// module is removed from it or the runspace closes.
/// </summary>
internal static class SessionStore
{
    private sealed class RunspaceSessions
    {
        internal readonly object Gate = new();
        internal OutlookQrGuardSession? Current;
        internal readonly List<OutlookQrGuardSession> Connected = new();
    }

    private static readonly ConditionalWeakTable<Runspace, RunspaceSessions> ByRunspace = new();

    // Code that runs outside any runspace (the C# tests' direct calls) shares this one.
    private static readonly RunspaceSessions NoRunspace = new();

    private static RunspaceSessions Here()
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null) return NoRunspace;
        return ByRunspace.GetValue(runspace, r =>
        {
            r.StateChanged += OnStateChanged;
            return new RunspaceSessions();
        });
    }

    internal static OutlookQrGuardSession? Current
    {
        get
        {
            var here = Here();
            lock (here.Gate) return here.Current;
        }
    }

    /// <summary>The sessions connected in this runspace and still open, oldest first.</summary>
    internal static OutlookQrGuardSession[] ConnectedHere()
    {
        var here = Here();
        lock (here.Gate) return here.Connected.FindAll(s => s.IsConnected).ToArray();
    }

    internal static void SetCurrent(OutlookQrGuardSession session)
    {
        var here = Here();
        lock (here.Gate)
        {
            here.Current = session;
            here.Connected.Add(session);
        }
    }

    internal static void Forget(OutlookQrGuardSession session)
    {
        var here = Here();
        lock (here.Gate)
        {
            if (ReferenceEquals(here.Current, session)) here.Current = null;
            here.Connected.Remove(session);
        }
    }

    /// <summary>
    /// Remove-Module in this runspace: its sessions are closed (a session object kept from
    /// before fails with "session is closed"), other runspaces' sessions are left alone.
    /// </summary>
    internal static void CloseThisRunspace() => Close(Here());

    private static void OnStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (e.RunspaceStateInfo.State != RunspaceState.Closed || sender is not Runspace runspace) return;
        if (ByRunspace.TryGetValue(runspace, out var sessions)) Close(sessions);
    }

    private static void Close(RunspaceSessions sessions)
    {
        OutlookQrGuardSession[] closing;
        lock (sessions.Gate)
        {
            closing = sessions.Connected.ToArray();
            sessions.Connected.Clear();
            sessions.Current = null;
        }
        foreach (var session in closing)
        {
            session.IsConnected = false;
            NativeEngine.TryDisconnect(session.Id);
        }
    }
}
