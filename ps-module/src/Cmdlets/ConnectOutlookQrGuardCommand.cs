using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Connect-OutlookQrGuard: signs in to a tenant's Exchange Online and Graph.</summary>
[Cmdlet(VerbsCommunications.Connect, "OutlookQrGuard", DefaultParameterSetName = InteractiveSet)]
[OutputType(typeof(OutlookQrGuardSession))]
public sealed partial class ConnectOutlookQrGuardCommand : OutlookQrGuardCmdlet
{
    private const string ClientSecretSet = "ClientSecret";
    private const string CertificateFileSet = "CertificateFile";
    private const string CertificateSet = "Certificate";
    private const string ThumbprintSet = "CertificateThumbprint";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string DeviceSet = "Device";
    private const string AccessTokenSet = "AccessToken";

    /// <summary>Tenant id or domain; from the pipeline by property name (a CSV's Organization column).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Organization", "Tenant")]
    [ValidateNotNullOrEmpty]
    public string TenantId { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = DeviceSet)]
    [Parameter(Mandatory = true, ParameterSetName = InteractiveSet)]
    [Alias("ClientId", "ApplicationId")]
    [ValidateNotNullOrEmpty]
    public string AppId { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    public SecureString? ClientSecret { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateFilePath { get; set; } = string.Empty;

    [Parameter(ParameterSetName = CertificateFileSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    [Alias("Identity")]
    public SwitchParameter ManagedIdentity { get; set; }

    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Alias("ManagedIdentityClientId")]
    public string? ManagedIdentityAccountId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = DeviceSet)]
    [Alias("UseDeviceCode", "DeviceCode")]
    public SwitchParameter Device { get; set; }

    [Parameter(ParameterSetName = AccessTokenSet)]
    public SecureString? AccessToken { get; set; }

    [Parameter(ParameterSetName = AccessTokenSet)]
    public SecureString? GraphAccessToken { get; set; }

    [Parameter]
    [ValidateSet("Global", "USGovGCCHigh", "USGovDoD", "China")]
    public string Environment { get; set; } = "Global";

    /// <summary>Signs the client assertion RS256 + x5t instead of PS256 + x5t#S256.</summary>
    [Parameter(ParameterSetName = CertificateFileSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ThumbprintSet)]
    public SwitchParameter UseRS256 { get; set; }

    [Parameter]
    public string? UserPrincipalName { get; set; }

    [Parameter]
    public Uri? AuthorityUri { get; set; }

    [Parameter]
    public Uri? ExchangeUri { get; set; }

    [Parameter]
    public Uri? GraphUri { get; set; }

    /// <summary>Lets -AuthorityUri/-ExchangeUri/-GraphUri name hosts outside the cloud and loopback.</summary>
    [Parameter]
    public SwitchParameter AllowCustomEndpoint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrustedRootCertificatePath { get; set; }

    [Parameter]
    public SwitchParameter AllowInsecureLoopback { get; set; }

    [Parameter]
    public Uri? Proxy { get; set; }

    /// <summary>Basic credentials for -Proxy; they win over credentials written into its URI.</summary>
    [Parameter]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    private CertificateAssertionSigner? _signer;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            ConnectRow();
            return;
        }
        if (Device && !InteractiveHost.IsInteractive(Host))
        {
            ThrowTerminatingError(new ErrorRecord(new PSInvalidOperationException(Messages.DeviceCodeNeedsInteractiveHost),
                "OutlookQrGuard.DeviceCodeNonInteractive", ErrorCategory.InvalidOperation, null));
        }
        CheckInteractiveDefault();
        if (ProxyCredential is not null && Proxy is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Messages.ProxyCredentialNeedsProxy, nameof(ProxyCredential)),
                "OutlookQrGuard.ProxyCredentialWithoutProxy", ErrorCategory.InvalidArgument, null));
        }
        try
        {
            ConnectAndWrite(BuildRequest());
        }
        catch (OutlookQrGuardException e)
        {
            ThrowNativeError(e, TenantId);
        }
    }

    /// <summary>Signs in with <paramref name="request"/> and outputs the session (throws on failure).</summary>
    private void ConnectAndWrite(ConnectRequest request)
    {
        {
            var wire = request.Wire(); // ownership passes to the engine
            // The engine keeps the signer for the session's lifetime (token refreshes sign again).
            var signer = _signer?.Callback ?? CertificateAssertionSigner.None;
            using var infoWire = RunNative((events, ct) => NativeEngine.Instance.Connect(wire, IsInteractiveSignIn ? BrowserOpener(events) : events.Prompt, signer, events.Log, ct));
            var info = infoWire.Unwire();
            var session = new OutlookQrGuardSession(info.session_id, info.tenant, info.organization, info.environment, info.method, info.client_id, info.user_principal_name);
            if (!string.IsNullOrEmpty(info.custom_endpoints))
            {
                WriteWarning(string.Format(Messages.CustomEndpointWarning, Environment, info.custom_endpoints));
            }
            SessionStore.SetCurrent(session);
            WriteObject(session);
        }
    }

    private ConnectRequest BuildRequest()
    {
        var request = new ConnectRequest
        {
            tenant = TenantId,
            environment = Environment,
            authority_uri = AuthorityUri?.ToString().TrimEnd('/'),
            exchange_uri = ExchangeUri?.ToString().TrimEnd('/'),
            graph_uri = GraphUri?.ToString().TrimEnd('/'),
            trusted_root_pem = TrustedRootCertificatePath is null ? null : ReadTrustedRoot(TrustedRootCertificatePath),
            allow_http_loopback = AllowInsecureLoopback,
            // AbsoluteUri keeps user-info escaped (ToString would unescape a '@' in a password).
            proxy_uri = Proxy?.AbsoluteUri,
            proxy_username = ProxyCredential?.UserName,
            proxy_password = ProxyCredential is null ? null : Plain(ProxyCredential.Password),
            method = EffectiveSet,
            client_id = string.IsNullOrEmpty(AppId) ? null : AppId,
            client_secret = Plain(ClientSecret),
            certificate_path = null,
            certificate_password = null,
            certificate_pem = null,
            legacy_assertion = UseRS256,
            managed_identity_client_id = ManagedIdentityAccountId,
            identity_endpoint = ManagedIdentity ? System.Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT") : null,
            identity_header = ManagedIdentity ? System.Environment.GetEnvironmentVariable("IDENTITY_HEADER") : null,
            exchange_access_token = Plain(AccessToken),
            graph_access_token = Plain(GraphAccessToken),
            user_principal_name = UserPrincipalName,
            allow_custom_endpoint = AllowCustomEndpoint,
            interactive_timeout_seconds = null,
            interactive_success_page = null,
            interactive_failure_page = null,
        };
        switch (EffectiveSet)
        {
            case CertificateFileSet:
                request.certificate_path = GetUnresolvedProviderPathFromPSPath(CertificateFilePath);
                request.certificate_password = Plain(CertificatePassword) ?? string.Empty;
                break;
            case CertificateSet:
                SetCertificate(request, Certificate!);
                break;
            case ThumbprintSet:
                SetCertificate(request, FindByThumbprint(CertificateThumbprint));
                break;
            case DeviceSet:
                request.method = "DeviceCode";
                break;
            case InteractiveSet:
                SetInteractive(request);
                break;
        }
        return request;
    }

    private string ReadTrustedRoot(string path)
    {
        var full = GetUnresolvedProviderPathFromPSPath(path);
        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "OutlookQrGuard.TrustedRootUnreadable", ErrorCategory.ReadError, full));
            throw;
        }
    }

    // The key stays where it is (store, smart card, HSM; exportable or not): the engine gets the
    // public certificate and signs each assertion through CertificateAssertionSigner.
    private void SetCertificate(ConnectRequest request, X509Certificate2 certificate)
    {
        request.method = "CertificateSigner";
        using (var rsa = certificate.GetRSAPrivateKey())
        {
            if (rsa is null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(string.Format(Messages.CertificateHasNoKey, certificate.Thumbprint)),
                    "OutlookQrGuard.CertificateWithoutPrivateKey", ErrorCategory.InvalidArgument, certificate));
                return;
            }
        }
        request.certificate_pem = certificate.ExportCertificatePem();
        // A copy of our own: the caller disposing $cert later must not break token refreshes.
        _signer = new CertificateAssertionSigner(new X509Certificate2(certificate));
    }

    private X509Certificate2 FindByThumbprint(string thumbprint)
    {
        var wanted = thumbprint.Replace(" ", string.Empty, StringComparison.Ordinal);
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            catch (CryptographicException)
            {
                // A store that does not exist on this platform: try the next one.
            }
        }
        ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException(string.Format(Messages.CertificateNotFound, wanted)),
            "OutlookQrGuard.CertificateNotFound", ErrorCategory.ObjectNotFound, wanted));
        throw new InvalidOperationException();
    }

    private static string? Plain(SecureString? value) => value is null ? null : new NetworkCredential(string.Empty, value).Password;
}
