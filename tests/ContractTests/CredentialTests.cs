using System;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using System.Web;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Xunit;

namespace OutlookQrGuard.ContractTests;

/// <summary>
/// Azure.Identity (MSAL.NET underneath) against the emulator's Entra ID and managed identity
/// endpoints, for every way the module signs in. Each test asserts on the token that came back
/// and on the request MSAL actually sent.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class CredentialTests
{
    private const string GraphDefault = "https://graph.microsoft.com/.default";
    private const string ExchangeDefault = "https://outlook.office365.com/.default";
    private readonly EmulatorFixture _emulator;

    public CredentialTests(EmulatorFixture emulator) => _emulator = emulator;

    private T Configure<T>(T options) where T : TokenCredentialOptions
    {
        options.AuthorityHost = new Uri(_emulator.BaseUrl);
        options.Transport = new HttpClientTransport(_emulator.NewHandler());
        options.Retry.MaxRetries = 0;
        return options;
    }

    private JsonObject App(string name) =>
        _emulator.Credentials[name]?.AsObject() ?? throw new InvalidOperationException($"No '{name}' in the credentials.");

    /// <summary>The token endpoint requests sent since <paramref name="mark"/>, as parsed forms.</summary>
    private System.Collections.Generic.List<System.Collections.Specialized.NameValueCollection> TokenForms(int mark) =>
        _emulator.WireSince(mark)
            .Where(r => r.Uri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
            .Select(r => HttpUtility.ParseQueryString(r.Body))
            .ToList();

    [Fact]
    public async Task ClientSecretCredential_gets_an_app_only_graph_token()
    {
        var app = App("secretApp");
        var mark = _emulator.Wire.Count;
        var credential = new ClientSecretCredential(_emulator.TenantId, EmulatorFixture.Text(app, "clientId"),
            EmulatorFixture.Text(app, "clientSecret"), Configure(new ClientSecretCredentialOptions { DisableInstanceDiscovery = true }));

        var token = await credential.GetTokenAsync(new TokenRequestContext([GraphDefault]), CancellationToken.None);

        var claims = EmulatorFixture.Claims(token.Token);
        Assert.Equal(EmulatorFixture.Text(app, "clientId"), EmulatorFixture.Text(claims, "appid"));
        Assert.Equal("https://graph.microsoft.com", EmulatorFixture.Text(claims, "aud"));
        Assert.Equal("1", EmulatorFixture.Text(claims, "appidacr"));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        var form = Assert.Single(TokenForms(mark));
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal(GraphDefault, form["scope"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientCertificateCredential_with_and_without_x5c_gets_a_token(bool sendChain)
    {
        var app = App("certificateApp");
        using var certificate = X509CertificateLoader.LoadPkcs12(
            Convert.FromBase64String(EmulatorFixture.Text(app, "pfxBase64")), EmulatorFixture.Text(app, "pfxPassword"));
        var mark = _emulator.Wire.Count;
        var credential = new ClientCertificateCredential(_emulator.TenantId, EmulatorFixture.Text(app, "clientId"), certificate,
            Configure(new ClientCertificateCredentialOptions { DisableInstanceDiscovery = true, SendCertificateChain = sendChain }));

        var token = await credential.GetTokenAsync(new TokenRequestContext([ExchangeDefault]), CancellationToken.None);

        var claims = EmulatorFixture.Claims(token.Token);
        Assert.Equal(EmulatorFixture.Text(app, "clientId"), EmulatorFixture.Text(claims, "appid"));
        Assert.Equal("2", EmulatorFixture.Text(claims, "appidacr"));
        Assert.Equal("https://outlook.office365.com", EmulatorFixture.Text(claims, "aud"));

        // What MSAL.NET wrote into the assertion (../shared/docs/entra-auth-and-graph.md, ADDED 2026-12-06).
        var form = Assert.Single(TokenForms(mark));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
        var parts = (form["client_assertion"] ?? "").Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(EmulatorFixture.Base64Url(parts[0]))!.AsObject();
        var body = JsonNode.Parse(EmulatorFixture.Base64Url(parts[1]))!.AsObject();
        Assert.Equal(sendChain, header.ContainsKey("x5c"));
        Assert.True(header.ContainsKey("x5t#S256") || header.ContainsKey("x5t"), header.ToJsonString());
        Assert.Equal(EmulatorFixture.Text(app, "clientId"), EmulatorFixture.Text(body, "iss"));
        Assert.True(body.ContainsKey("exp"), body.ToJsonString());
    }

    [Fact]
    public async Task ManagedIdentityCredential_system_and_user_assigned_through_IDENTITY_ENDPOINT()
    {
        var mi = App("managedIdentity");
        var endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
        var header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        // Azure Automation / App Service: the source is chosen from these two variables.
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", EmulatorFixture.Text(mi, "identityEndpoint"));
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", EmulatorFixture.Text(mi, "identityHeader"));
        try
        {
            var mark = _emulator.Wire.Count;
            var system = new ManagedIdentityCredential(Configure(new ManagedIdentityCredentialOptions(ManagedIdentityId.SystemAssigned)));
            var systemToken = await system.GetTokenAsync(new TokenRequestContext([GraphDefault]), CancellationToken.None);
            var userId = EmulatorFixture.Text(mi, "userAssignedClientId");
            var user = new ManagedIdentityCredential(Configure(new ManagedIdentityCredentialOptions(ManagedIdentityId.FromUserAssignedClientId(userId))));
            var userToken = await user.GetTokenAsync(new TokenRequestContext([ExchangeDefault]), CancellationToken.None);

            var sys = EmulatorFixture.Claims(systemToken.Token);
            Assert.Equal(EmulatorFixture.Text(mi, "systemAssignedClientId"), EmulatorFixture.Text(sys, "appid"));
            Assert.Equal("https://graph.microsoft.com", EmulatorFixture.Text(sys, "aud"));
            var usr = EmulatorFixture.Claims(userToken.Token);
            Assert.Equal(userId, EmulatorFixture.Text(usr, "appid"));
            Assert.Equal("https://outlook.office365.com", EmulatorFixture.Text(usr, "aud"));

            // The requests as MSAL sent them: resource (no /.default), api-version, the header.
            var sent = _emulator.WireSince(mark).Where(r => r.Uri.AbsolutePath == "/msi/token").ToList();
            Assert.Equal(2, sent.Count);
            foreach (var r in sent)
            {
                Assert.True(r.Headers.ContainsKey("X-IDENTITY-HEADER"), string.Join(",", r.Headers.Keys));
                Assert.Equal(200, r.Status);
            }
            var q0 = HttpUtility.ParseQueryString(sent[0].Uri.Query);
            var q1 = HttpUtility.ParseQueryString(sent[1].Uri.Query);
            Assert.Equal("https://graph.microsoft.com", q0["resource"]?.TrimEnd('/'));
            Assert.Null(q0["client_id"]);
            Assert.Equal(userId, q1["client_id"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", endpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
        }
    }

    [Fact]
    public async Task DeviceCodeCredential_is_approved_through_the_control_api()
    {
        var admin = EmulatorFixture.Text(_emulator.Credentials, "adminUpn");
        string? userCode = null;
        var mark = _emulator.Wire.Count;
        var credential = new DeviceCodeCredential(Configure(new DeviceCodeCredentialOptions
        {
            ClientId = EmulatorFixture.Text(_emulator.Credentials, "publicClientId"),
            TenantId = _emulator.TenantId,
            DisableInstanceDiscovery = true,
            DeviceCodeCallback = async (info, _) =>
            {
                userCode = info.UserCode;
                Assert.Contains(info.UserCode, info.Message, StringComparison.Ordinal);
                await _emulator.ControlAsync(HttpMethod.Post, $"/_emulator/device-codes/{info.UserCode}/approve",
                    new { userPrincipalName = admin });
            },
        }));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var token = await credential.GetTokenAsync(new TokenRequestContext([GraphDefault]), timeout.Token);

        Assert.NotNull(userCode);
        var claims = EmulatorFixture.Claims(token.Token);
        Assert.Equal(admin, EmulatorFixture.Text(claims, "upn"), ignoreCase: true);
        Assert.Equal("https://graph.microsoft.com", EmulatorFixture.Text(claims, "aud"));
        Assert.True(claims.ContainsKey("scp"), claims.ToJsonString());
        // MSAL.NET polls with the short grant type (../shared/docs/entra-auth-and-graph.md §device code).
        var polls = TokenForms(mark);
        Assert.NotEmpty(polls);
        Assert.All(polls, f => Assert.Equal("device_code", f["grant_type"]));
    }
}
