using System;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Connect-OutlookQrGuard -Interactive: the authorization code flow with PKCE in the system
/// browser (the engine runs the flow and its loopback listener; this side opens the browser).
/// It is also what runs when no credential parameter is given at an interactive prompt, as
/// Connect-ExchangeOnline and Connect-MgGraph do.
/// </summary>
public sealed partial class ConnectOutlookQrGuardCommand
{
    private const string InteractiveSet = "Interactive";
    private const int DefaultInteractiveTimeoutSeconds = 300;

    /// <summary>Sign in in the system browser (the default at an interactive prompt).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    public SwitchParameter Interactive { get; set; }

    /// <summary>How long to wait for the browser sign-in.</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [ValidateRange(10, 3600)]
    public int TimeoutSeconds { get; set; } = DefaultInteractiveTimeoutSeconds;

    private bool IsInteractiveSignIn => ParameterSetName == InteractiveSet;

    /// <summary>Refuses the implicit browser sign-in where nobody can use a browser.</summary>
    private void CheckInteractiveDefault()
    {
        if (IsInteractiveSignIn && !Interactive && !InteractiveHost.IsInteractive(Host))
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Messages.InteractiveNeedsCredential),
                "OutlookQrGuard.NoCredentialNonInteractive", ErrorCategory.InvalidArgument, null));
        }
    }

    private void SetInteractive(ConnectRequest request)
    {
        request.method = InteractiveSet;
        request.interactive_timeout_seconds = (uint)TimeoutSeconds;
        request.interactive_success_page = Messages.InteractivePageSuccess;
        request.interactive_failure_page = Messages.InteractivePageFailure;
    }

    /// <summary>
    /// The prompt callback of an interactive connect receives the authorize URL: open the
    /// browser with it, and say so (or print the URL when no browser could be opened). Runs on
    /// an engine thread: it only starts a process and enqueues text.
    /// </summary>
    private PromptCallbackDelegate BrowserOpener(NativeEventQueue events) => message =>
    {
        string url;
        try { url = message.IntoString(); }
        catch (Exception) { return; }
        var opened = SystemBrowser.TryOpen(url);
        events.Add(new PromptEvent(opened
            ? string.Format(Messages.InteractiveBrowserOpened, TenantId, TimeoutSeconds)
            : string.Format(Messages.InteractiveOpenThisUrl, TenantId, TimeoutSeconds, url)));
    };
}
