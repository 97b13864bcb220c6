using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Authentication.Azure;
using Xunit;

namespace OutlookQrGuard.ContractTests;

/// <summary>
/// The Graph SDK (Microsoft.Graph 6.10, Kiota) against the emulator's Graph: what the module reads
/// and writes, as Microsoft's own client sends it. Assertions are on what came back and on the
/// emulator's journal.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class GraphTests
{
    private readonly EmulatorFixture _emulator;

    public GraphTests(EmulatorFixture emulator) => _emulator = emulator;

    /// <summary>The SDK's default middleware (retry, redirect, …) over a handler that trusts the
    /// emulator, app-only tokens from ClientSecretCredential, BaseUrl = the emulator.</summary>
    private GraphServiceClient Client(string version = "v1.0")
    {
        var app = _emulator.Credentials["secretApp"]?.AsObject() ?? throw new InvalidOperationException("No secretApp.");
        var credential = new ClientSecretCredential(_emulator.TenantId, EmulatorFixture.Text(app, "clientId"), EmulatorFixture.Text(app, "clientSecret"),
            new ClientSecretCredentialOptions
            {
                AuthorityHost = new Uri(_emulator.BaseUrl),
                DisableInstanceDiscovery = true,
                Transport = new HttpClientTransport(_emulator.NewHandler()),
            });
        // The provider only attaches tokens for allowed hosts; the emulator listens on 127.0.0.1.
        var auth = new AzureIdentityAuthenticationProvider(credential, [new Uri(_emulator.BaseUrl).Host], null, true, "https://graph.microsoft.com/.default");
        var http = GraphClientFactory.Create(version: version, finalHandler: _emulator.NewHandler());
        return new GraphServiceClient(http, auth, $"{_emulator.BaseUrl}/{version}");
    }

    private async Task<List<JsonObject>> SeededGroupsAsync()
    {
        // The seeded groups and their members, from the control API (ground truth, not the SDK under test).
        var groups = await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/groups");
        return groups.AsArray().Select(g => g!.AsObject()).ToList();
    }

    [Fact]
    public async Task User_read_by_upn_returns_the_seeded_admin()
    {
        var admin = EmulatorFixture.Text(_emulator.Credentials, "adminUpn");
        var user = await Client().Users[admin].GetAsync(rc => rc.QueryParameters.Select = ["id", "userPrincipalName", "displayName"]);

        Assert.NotNull(user);
        Assert.Equal(admin, user.UserPrincipalName, ignoreCase: true);
        Assert.True(Guid.TryParse(user.Id, out _), user.Id);
        // Break Glass Accounts always holds the admin: the id the SDK read is the seeded one.
        var groups = await SeededGroupsAsync();
        var breakGlass = groups.Single(g => EmulatorFixture.Text(g, "displayName") == "Break Glass Accounts");
        Assert.Contains(user.Id, breakGlass["members"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task RevokeSignInSessions_is_journaled_for_that_user()
    {
        var client = Client();
        var page = await client.Users.GetAsync(rc => { rc.QueryParameters.Top = 3; rc.QueryParameters.Select = ["id", "userPrincipalName"]; });
        var target = page!.Value![2];
        await _emulator.ResetJournalAsync();

        var result = await client.Users[target.Id].RevokeSignInSessions.PostAsRevokeSignInSessionsPostResponseAsync();

        Assert.True(result?.Value);
        var journal = await _emulator.JournalAsync();
        var revocation = Assert.Single(journal["revocations"]!.AsArray());
        Assert.Equal(target.Id, EmulatorFixture.Text(revocation, "userId"));
        Assert.Equal(target.UserPrincipalName, EmulatorFixture.Text(revocation, "userPrincipalName"), ignoreCase: true);
    }

    /// <summary>
    /// A `$batch` of revokes built with the SDK's BatchRequestContentCollection. Each item carries
    /// an empty JSON body: real Graph refuses a write item without Content-Type + body
    /// (../shared/docs/entra-auth-and-graph.md $batch, CORRECTED 2026-12-06; msgraph-sdk-dotnet#2628),
    /// and the SDK's ToPostRequestInformation() of a bodyless action adds neither.
    /// </summary>
    [Fact]
    public async Task Batch_of_revokes_through_BatchRequestContentCollection_revokes_each_user_once()
    {
        var client = Client();
        var page = await client.Users.GetAsync(rc => { rc.QueryParameters.Top = 5; rc.QueryParameters.Select = ["id"]; });
        var users = page!.Value!.Select(u => u.Id!).ToList();
        Assert.Equal(5, users.Count);
        await _emulator.ResetJournalAsync();
        var mark = _emulator.Wire.Count;

        var batch = new BatchRequestContentCollection(client);
        var stepIds = new Dictionary<string, string>();
        foreach (var id in users)
        {
            var request = client.Users[id].RevokeSignInSessions.ToPostRequestInformation();
            request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{}")), "application/json");
            stepIds[await batch.AddBatchRequestStepAsync(request)] = id;
        }
        var response = await client.Batch.PostAsync(batch);
        var statuses = await response.GetResponsesStatusCodesAsync();

        Assert.Equal(stepIds.Keys.OrderBy(k => k), statuses.Keys.OrderBy(k => k));
        Assert.All(statuses.Values, s => Assert.Equal(HttpStatusCode.OK, s));
        var journal = await _emulator.JournalAsync();
        var revoked = journal["revocations"]!.AsArray().Select(r => EmulatorFixture.Text(r, "userId")).ToList();
        Assert.Equal(users.OrderBy(u => u), revoked.OrderBy(u => u));

        // What the SDK put on the wire: one POST /v1.0/$batch whose items carry Content-Type and a JSON body.
        var sent = Assert.Single(_emulator.WireSince(mark), r => r.Uri.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal));
        var items = JsonNode.Parse(sent.Body)!["requests"]!.AsArray();
        Assert.Equal(5, items.Count);
        foreach (var item in items)
        {
            Assert.Equal("POST", EmulatorFixture.Text(item, "method"));
            Assert.StartsWith("/users/", EmulatorFixture.Text(item, "url"), StringComparison.Ordinal);
            var headers = item!["headers"]!.AsObject();
            Assert.Contains(headers, h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                && h.Value!.GetValue<string>().StartsWith("application/json", StringComparison.OrdinalIgnoreCase));
            Assert.NotNull(item["body"]);
        }
    }

    /// <summary>
    /// Why the module (and the test above) give each write item a body: the SDK's own request
    /// information for a bodyless action goes into the batch with neither Content-Type nor body,
    /// which real Graph refuses for the whole batch (msgraph-sdk-dotnet#2628): the strict emulator
    /// refuses it the same way.
    /// </summary>
    [Fact]
    public async Task Sdk_batch_item_of_a_bodyless_action_has_no_content_type_or_body()
    {
        var client = Client();
        var page = await client.Users.GetAsync(rc => { rc.QueryParameters.Top = 1; rc.QueryParameters.Select = ["id"]; });
        var mark = _emulator.Wire.Count;
        var batch = new BatchRequestContentCollection(client);
        await batch.AddBatchRequestStepAsync(client.Users[page!.Value![0].Id].RevokeSignInSessions.ToPostRequestInformation());
        // Refused as a whole, as real Graph does (the SDK wraps the 400 in a ServiceException).
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.Batch.PostAsync(batch));
        Assert.Contains("does not contain Content-Type header or body", refused.ToString());

        var sent = Assert.Single(_emulator.WireSince(mark), r => r.Uri.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal));
        var item = Assert.Single(JsonNode.Parse(sent.Body)!["requests"]!.AsArray());
        Assert.Equal("POST", EmulatorFixture.Text(item, "method"));
        Assert.Null(item!["body"]);
        var headers = item["headers"]?.AsObject();
        Assert.True(headers is null || !headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)), sent.Body);
    }

    [Fact]
    public async Task Conditional_access_list_pages_create_patch_delete()
    {
        var client = Client();
        await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/conditional-access/reset");
        var seeded = (await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/conditional-access/policies")).AsArray()
            .Select(p => EmulatorFixture.Text(p, "id")).OrderBy(x => x).ToList();

        // List: the emulator pages at 2 (--ca-page-size), so the iterator must follow nextLinks.
        var first = await client.Identity.ConditionalAccess.Policies.GetAsync();
        Assert.NotNull(first?.OdataNextLink);
        var listed = new List<string>();
        var iterator = PageIterator<ConditionalAccessPolicy, ConditionalAccessPolicyCollectionResponse>
            .CreatePageIterator(client, first!, p => { listed.Add(p.Id!); return true; });
        await iterator.IterateAsync();
        Assert.Equal(seeded, listed.OrderBy(x => x).ToList());

        await _emulator.ResetJournalAsync();
        var created = await client.Identity.ConditionalAccess.Policies.PostAsync(new ConditionalAccessPolicy
        {
            DisplayName = "Contract test: block authentication transfer",
            State = ConditionalAccessPolicyState.EnabledForReportingButNotEnforced,
            Conditions = new ConditionalAccessConditionSet
            {
                Users = new ConditionalAccessUsers { IncludeUsers = ["All"] },
                Applications = new ConditionalAccessApplications { IncludeApplications = ["All"] },
                ClientAppTypes = [ConditionalAccessClientApp.All],
                AuthenticationFlows = new ConditionalAccessAuthenticationFlows { TransferMethods = ConditionalAccessTransferMethods.AuthenticationTransfer },
            },
            GrantControls = new ConditionalAccessGrantControls { Operator = "OR", BuiltInControls = [ConditionalAccessGrantControl.Block] },
        });
        Assert.NotNull(created);
        Assert.True(Guid.TryParse(created.Id, out _), created.Id);
        Assert.Equal(ConditionalAccessTransferMethods.AuthenticationTransfer, created.Conditions?.AuthenticationFlows?.TransferMethods);

        await client.Identity.ConditionalAccess.Policies[created.Id].PatchAsync(new ConditionalAccessPolicy { State = ConditionalAccessPolicyState.Enabled });
        var read = await client.Identity.ConditionalAccess.Policies[created.Id].GetAsync();
        Assert.Equal(ConditionalAccessPolicyState.Enabled, read?.State);
        Assert.Equal(created.DisplayName, read?.DisplayName);

        await client.Identity.ConditionalAccess.Policies[created.Id].DeleteAsync();
        var gone = await Assert.ThrowsAsync<Microsoft.Graph.Models.ODataErrors.ODataError>(
            () => client.Identity.ConditionalAccess.Policies[created.Id].GetAsync());
        Assert.Equal(404, gone.ResponseStatusCode);

        var writes = (await _emulator.JournalAsync())["conditionalAccessWrites"]!.AsArray();
        Assert.Equal(["POST", "PATCH", "DELETE"], writes.Select(w => EmulatorFixture.Text(w, "method")).ToArray());
        Assert.All(writes, w => Assert.Equal(created.Id, EmulatorFixture.Text(w, "policyId")));
        Assert.Equal([201, 204, 204], writes.Select(w => w!["status"]!.GetValue<int>()).ToArray());
    }

    /// <summary>
    /// Sign-in logs as the module reads them: beta (originalTransferMethod is beta-only), the
    /// module's filter, paged by the SDK's PageIterator. The v1.0 SDK models read the beta page; the
    /// beta-only property lands in AdditionalData.
    /// </summary>
    [Fact]
    public async Task Signin_logs_page_through_PageIterator_with_the_modules_filter()
    {
        var client = Client("beta");
        var since = DateTimeOffset.UtcNow.AddDays(-30);
        var sinceText = since.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var filter = $"createdDateTime ge {sinceText} and (signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')) and originalTransferMethod eq 'authenticationTransfer'";

        var expected = (await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/signins")).AsArray()
            .Where(e => EmulatorFixture.Text(e, "originalTransferMethod") == "authenticationTransfer"
                && DateTimeOffset.Parse(EmulatorFixture.Text(e, "createdDateTime"), System.Globalization.CultureInfo.InvariantCulture) >= since
                && e!["signInEventTypes"]!.AsArray().Any(t => t!.GetValue<string>() is "interactiveUser" or "nonInteractiveUser"))
            .Select(e => EmulatorFixture.Text(e, "id")).OrderBy(x => x).ToList();
        Assert.True(expected.Count > 10, $"only {expected.Count} seeded transfer events");

        var first = await client.AuditLogs.SignIns.GetAsync(rc => { rc.QueryParameters.Filter = filter; rc.QueryParameters.Top = 10; });
        Assert.NotNull(first?.OdataNextLink);
        var seen = new List<SignIn>();
        var pages = 0;
        var iterator = PageIterator<SignIn, SignInCollectionResponse>.CreatePageIterator(client, first!, s => { seen.Add(s); return true; },
            req => { pages++; return req; });
        await iterator.IterateAsync();

        Assert.Equal(expected, seen.Select(s => s.Id!).OrderBy(x => x).ToList());
        Assert.True(pages >= expected.Count / 10, $"{pages} follow-up pages for {expected.Count} events");
        Assert.All(seen, s => Assert.Equal("authenticationTransfer", s.AdditionalData["originalTransferMethod"]?.ToString()));
        // Newest first, as the service returns them.
        Assert.Equal(seen.Select(s => s.CreatedDateTime).OrderByDescending(t => t), seen.Select(s => s.CreatedDateTime));
    }
}
