using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace OutlookQrGuard.ContractTests;

/// <summary>
/// One tenant emulator process (target/&lt;profile&gt;/tenant-emulator, or OQG_EMULATOR_PATH) for the
/// whole suite, started the way tests/pester/TestTenant.psm1 starts it: a free port, a ready file
/// with the base URL, the CA path and the seeded credentials.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private Process? _process;
    private string _readyFile = "";
    private X509Certificate2? _ca;
    private HttpClient? _control;

    public string BaseUrl { get; private set; } = "";
    public JsonObject Credentials { get; private set; } = new();
    public string TenantId => Text(Credentials, "tenantId");

    /// <summary>Every request Microsoft's clients sent through <see cref="NewHandler"/>.</summary>
    public ConcurrentQueue<WireRecord> Wire { get; } = new();

    public static string Text(JsonNode? node, string name) =>
        node?[name]?.GetValue<string>() ?? throw new InvalidOperationException($"The emulator's JSON has no '{name}'.");

    public async Task InitializeAsync()
    {
        _readyFile = Path.Combine(Path.GetTempPath(), $"oqg-contract-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(FindEmulator())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--users", "60", "--devices", "150", "--seed", "7", "--port", "0",
            // Small pages so the SDK's PageIterator has to follow nextLinks.
            "--ca-page-size", "2",
            "--device-code-interval-secs", "1",
            "--ready-file", _readyFile, "--ignore-stdin",
        })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("tenant-emulator did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonObject? ready = null;
        while (ready is null)
        {
            if (_process.HasExited) throw new InvalidOperationException($"tenant-emulator exited early with code {_process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("tenant-emulator did not start within 30 s.");
            try
            {
                if (File.Exists(_readyFile)) ready = JsonNode.Parse(await File.ReadAllTextAsync(_readyFile))?.AsObject();
            }
            catch (JsonException)
            {
                // Still being written.
            }
            if (ready is null) await Task.Delay(50);
        }
        BaseUrl = Text(ready, "baseUrl");
        Credentials = ready["credentials"]?.AsObject() ?? throw new InvalidOperationException("No credentials in the ready file.");
        _ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Text(ready, "caCertificatePath")));
        _control = new HttpClient(NewHandler(record: false)) { BaseAddress = new Uri(BaseUrl) };
        _control.DefaultRequestHeaders.Add("X-Emulator-Control-Key", Text(Credentials, "controlKey"));
    }

    public Task DisposeAsync()
    {
        _control?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _ca?.Dispose();
        try { File.Delete(_readyFile); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static string FindEmulator()
    {
        var fromEnv = Environment.GetEnvironmentVariable("OQG_EMULATOR_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        var exe = OperatingSystem.IsWindows() ? "tenant-emulator.exe" : "tenant-emulator";
        var profile = typeof(EmulatorFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CargoProfile")?.Value ?? "debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var p in new[] { profile, "debug", "release" })
            {
                var candidate = Path.Combine(dir.FullName, "target", p, exe);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException("tenant-emulator is not built: run 'cargo build -p tenant-emulator' (or set OQG_EMULATOR_PATH).");
    }

    /// <summary>
    /// A handler that trusts the emulator's self-signed CA (only it: a custom root, not "accept
    /// anything") and records what goes on the wire.
    /// </summary>
    public HttpMessageHandler NewHandler(bool record = true)
    {
        var ca = _ca ?? throw new InvalidOperationException("The emulator is not started.");
        var socket = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (cert is null) return false;
                    if (errors == SslPolicyErrors.None) return true;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(cert))
                        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                },
            },
        };
        return record ? new RecordingHandler(socket, Wire) : socket;
    }

    public async Task<JsonNode> ControlAsync(HttpMethod method, string path, object? body = null)
    {
        var client = _control ?? throw new InvalidOperationException("The emulator is not started.");
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}");
        return string.IsNullOrEmpty(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
    }

    public Task<JsonNode> JournalAsync() => ControlAsync(HttpMethod.Get, "/_emulator/journal");

    public Task ResetJournalAsync() => ControlAsync(HttpMethod.Post, "/_emulator/reset-journal");

    /// <summary>The claims of a token the emulator issued (its payload, base64url JSON).</summary>
    public static JsonObject Claims(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return JsonNode.Parse(Base64Url(parts[1]))?.AsObject() ?? throw new InvalidOperationException("Token payload is not JSON.");
    }

    public static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Convert.FromBase64String(s);
    }

    public IReadOnlyList<WireRecord> WireSince(int count) => Wire.Skip(count).ToList();
}

/// <summary>One request as sent: method, URL, headers and body (form or JSON), for asserting on the
/// exact wire form Microsoft's libraries produce. Kept in memory only, never written out.</summary>
public sealed record WireRecord(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body, int Status);

internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<WireRecord> _sink;

    public RecordingHandler(HttpMessageHandler inner, ConcurrentQueue<WireRecord> sink) : base(inner) => _sink = sink;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in request.Headers) headers[h.Key] = string.Join(",", h.Value);
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsStringAsync(cancellationToken);
            foreach (var h in request.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
        }
        var response = await base.SendAsync(request, cancellationToken);
        _sink.Enqueue(new WireRecord(request.Method.Method, request.RequestUri ?? new Uri("about:blank"), headers, body, (int)response.StatusCode));
        return response;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    // One emulator, tests one at a time: the managed identity tests set process-wide environment
    // variables, and the journal assertions need a quiet emulator.
    public const string Name = "Emulator";
}
