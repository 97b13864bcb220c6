using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using System.Web;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;
using Xunit;

namespace OutlookQrGuard.ContractTests;

/// <summary>
/// MSAL.NET 4.92's interactive flow (authorization code + PKCE, <c>http://localhost</c> redirect)
/// against the emulator's <c>/authorize</c> page and token endpoint: the emulator must accept
/// what Microsoft's own client sends. The browser is a custom web UI that signs in over HTTP.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class InteractiveTests
{
    private const string ExchangeDefault = "https://outlook.office365.com/.default";
    private readonly EmulatorFixture _emulator;

    public InteractiveTests(EmulatorFixture emulator) => _emulator = emulator;

    private sealed class HandlerFactory(HttpMessageHandler handler) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => new(handler, disposeHandler: false);
    }

    /// <summary>Signs in on the emulator's page and returns the redirect MSAL expects.</summary>
    private sealed class EmulatorWebUi(EmulatorFixture emulator, string login, string password) : ICustomWebUi
    {
        public Uri? AuthorizationUri { get; private set; }

        public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            AuthorizationUri = authorizationUri;
            var handler = (SocketsHttpHandler)emulator.NewHandler(record: false);
            handler.AllowAutoRedirect = false;
            using var http = new HttpClient(handler);
            var page = await http.GetStringAsync(authorizationUri, cancellationToken);
            var flow = Regex.Match(page, "name=\"flow\" value=\"([^\"]+)\"").Groups[1].Value;
            var action = Regex.Match(page, "<form method=\"POST\" action=\"([^\"]+)\"").Groups[1].Value;
            using var form = new FormUrlEncodedContent(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, string>("flow", flow),
                new("login", login),
                new("passwd", password),
                new("action", "signin"),
            });
            using var answer = await http.PostAsync(new Uri(new Uri(emulator.BaseUrl), action), form, cancellationToken);
            if (answer.StatusCode == HttpStatusCode.Found)
            {
                return answer.Headers.Location ?? throw new InvalidOperationException("a redirect without Location");
            }
            // response_mode=form_post: the fields the page would post to the redirect URI.
            var html = await answer.Content.ReadAsStringAsync(cancellationToken);
            var fields = Regex.Matches(html, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")
                .Select(m => $"{m.Groups[1].Value}={Uri.EscapeDataString(WebUtility.HtmlDecode(m.Groups[2].Value))}");
            return new Uri($"{redirectUri.GetLeftPart(UriPartial.Path)}?{string.Join("&", fields)}");
        }
    }

    [Fact]
    public async Task Msal_interactive_with_pkce_signs_in_on_the_emulator_page()
    {
        var admin = EmulatorFixture.Text(_emulator.Credentials, "adminUpn");
        var password = EmulatorFixture.Text(_emulator.Credentials, "userPassword");
        var clientId = EmulatorFixture.Text(_emulator.Credentials, "publicClientId");
        var mark = _emulator.Wire.Count;
        var app = PublicClientApplicationBuilder.Create(clientId)
            .WithAuthority($"{_emulator.BaseUrl}/{_emulator.TenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri("http://localhost")
            .WithHttpClientFactory(new HandlerFactory(_emulator.NewHandler()))
            .Build();
        var ui = new EmulatorWebUi(_emulator, admin, password);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await app.AcquireTokenInteractive([ExchangeDefault])
            .WithCustomWebUi(ui)
            .WithLoginHint(admin)
            .ExecuteAsync(timeout.Token);

        var claims = EmulatorFixture.Claims(result.AccessToken);
        Assert.Equal("https://outlook.office365.com", EmulatorFixture.Text(claims, "aud"));
        Assert.Equal(admin, EmulatorFixture.Text(claims, "upn"), ignoreCase: true);
        // What MSAL put on the authorize URL (v2-oauth2-auth-code-flow.md's parameters).
        var query = HttpUtility.ParseQueryString(ui.AuthorizationUri!.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.Equal("http://localhost", query["redirect_uri"]?.TrimEnd('/'));
        // And on the code redemption.
        var redemption = _emulator.WireSince(mark)
            .Where(r => r.Uri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
            .Select(r => HttpUtility.ParseQueryString(r.Body))
            .Single(f => f["grant_type"] == "authorization_code");
        Assert.False(string.IsNullOrEmpty(redemption["code_verifier"]));

        // A silent call for the other resource uses the refresh token MSAL kept.
        var account = (await app.GetAccountsAsync()).FirstOrDefault();
        Assert.NotNull(account);
        var graph = await app.AcquireTokenSilent(["https://graph.microsoft.com/.default"], account).ExecuteAsync(timeout.Token);
        Assert.Equal("https://graph.microsoft.com", EmulatorFixture.Text(EmulatorFixture.Claims(graph.AccessToken), "aud"));
    }
}
