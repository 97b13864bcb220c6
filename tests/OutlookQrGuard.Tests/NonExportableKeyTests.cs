using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Tasks;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Native;
using Xunit;

namespace OutlookQrGuard.Tests;

/// <summary>
/// Issue #14 item 9: a certificate whose private key cannot be exported signs the client
/// assertion in C# through the engine's signer callback, against the tenant emulator over real
/// sockets, and signs again when the engine refreshes an expired token later on its own threads.
/// </summary>
public class NonExportableKeyTests
{
    static NonExportableKeyTests() => ModuleInitializer.RegisterResolver();

    /// <summary>
    /// On Linux and macOS every key .NET loads is exportable (X509KeyStorageFlags.Exportable is a
    /// Windows notion), so the test holds the key in an RSA that refuses every private export, as
    /// a CNG key without AllowExport, a smart card or an HSM does, and only signs.
    /// </summary>
    private sealed class NonExportableRsa : RSA
    {
        private readonly RSA _inner;

        public NonExportableRsa(RSA inner)
        {
            _inner = inner;
            KeySizeValue = inner.KeySize;
        }

        public override RSAParameters ExportParameters(bool includePrivateParameters) =>
            includePrivateParameters ? throw new CryptographicException("The requested operation is not supported (key not exportable).") : _inner.ExportParameters(false);

        public override void ImportParameters(RSAParameters parameters) => throw new NotSupportedException();

        public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
            _inner.SignHash(hash, hashAlgorithm, padding);

        public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
            _inner.VerifyHash(hash, signature, hashAlgorithm, padding);

        // The signer disposes its handle after each signature; the key itself lives on.
        protected override void Dispose(bool disposing) { }
    }

    private sealed class Emulator : IDisposable
    {
        private readonly Process _process;
        internal string BaseUrl { get; }
        internal string CaPem { get; }
        internal JsonElement Credentials { get; }

        internal Emulator()
        {
            var root = AppContext.BaseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root, "Cargo.toml"))) root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
            Assert.True(root is not null, "the repository root (Cargo.toml) is above the test binaries");
            var exe = Path.Combine(root!, "target", "debug", OperatingSystem.IsWindows() ? "tenant-emulator.exe" : "tenant-emulator");
            Assert.True(File.Exists(exe), $"build the emulator first: cargo build -p tenant-emulator ({exe})");
            var start = new ProcessStartInfo(exe, ["--users", "5", "--devices", "5", "--port", "0"])
            {
                RedirectStandardInput = true, // it stops when stdin closes
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            _process = Process.Start(start) ?? throw new InvalidOperationException("the emulator did not start");
            var ready = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the emulator printed nothing");
            using var doc = JsonDocument.Parse(ready);
            BaseUrl = doc.RootElement.GetProperty("baseUrl").GetString()!;
            CaPem = File.ReadAllText(doc.RootElement.GetProperty("caCertificatePath").GetString()!);
            Credentials = doc.RootElement.GetProperty("credentials").Clone();
        }

        /// <summary>Every token issued so far is rejected as expired from now on.</summary>
        internal async Task ExpireTokens()
        {
            using var ca = X509Certificate2.CreateFromPem(CaPem);
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(cert);
                },
            };
            using var http = new HttpClient(handler);
            using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl + "/_emulator/expire-tokens");
            request.Headers.Add("X-Emulator-Control-Key", Credentials.GetProperty("controlKey").GetString());
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"expire-tokens: {(int)response.StatusCode}");
        }

        public void Dispose()
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(5000)) _process.Kill();
            _process.Dispose();
        }
    }

    private static ConnectRequest CertificateRequest(Emulator emu, string certificatePem, bool rs256) => new()
    {
        tenant = emu.Credentials.GetProperty("tenantDomain").GetString()!,
        environment = "Global",
        authority_uri = emu.BaseUrl,
        exchange_uri = emu.BaseUrl,
        graph_uri = emu.BaseUrl,
        trusted_root_pem = emu.CaPem,
        allow_http_loopback = false,
        proxy_uri = null,
        proxy_username = null,
        proxy_password = null,
        allow_custom_endpoint = false,
        interactive_timeout_seconds = null,
        interactive_success_page = null,
        interactive_failure_page = null,
        method = "CertificateSigner",
        client_id = emu.Credentials.GetProperty("certificateApp").GetProperty("clientId").GetString(),
        client_secret = null,
        certificate_path = null,
        certificate_password = null,
        certificate_pem = certificatePem,
        legacy_assertion = rs256,
        managed_identity_client_id = null,
        identity_endpoint = null,
        identity_header = null,
        exchange_access_token = null,
        graph_access_token = null,
        user_principal_name = null,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_key_that_cannot_be_exported_signs_in_and_signs_again_after_the_tokens_expire(bool rs256)
    {
        using var emu = new Emulator();
        var app = emu.Credentials.GetProperty("certificateApp");
        var certificatePem = app.GetProperty("certificatePem").GetString()!;
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var realKey = RSA.Create();
        realKey.ImportFromPem(app.GetProperty("privateKeyPem").GetString());
        var key = new NonExportableRsa(realKey);
        Assert.Throws<CryptographicException>(() => key.ExportPkcs8PrivateKey());
        Assert.Throws<CryptographicException>(() => key.ExportRSAPrivateKey());

        var signer = new CertificateAssertionSigner(certificate, () => new NonExportableRsa(realKey));
        using var engine = Engine.Create();
        var logs = new List<string>();
        using var info = await engine.Connect(CertificateRequest(emu, certificatePem, rs256).Wire(), _ => { }, signer.Callback, (_, m) => { lock (logs) logs.Add(m.IntoString()); });
        var session = info.Unwire().session_id;
        Assert.True(signer.Signatures >= 1, "connect signed the assertion in C#");

        using (var check = await engine.CheckPrompt(session, true, (_, _) => { })) Assert.False(string.IsNullOrEmpty(check.Unwire().organization));
        var before = signer.Signatures;

        await emu.ExpireTokens();
        // The refresh happens on an engine thread, well after Connect returned: the callback must still be alive.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using (var again = await engine.CheckPrompt(session, true, (_, _) => { })) Assert.False(string.IsNullOrEmpty(again.Unwire().organization));
        // One new assertion per resource the check needed again (Exchange and Graph).
        Assert.True(signer.Signatures > before, $"signed again after expiry ({before} -> {signer.Signatures})");
        Assert.True(engine.Disconnect(session).Is);
    }

    [Fact]
    public async Task A_signer_that_fails_is_an_error_naming_why_not_a_crash()
    {
        using var emu = new Emulator();
        var certificatePem = emu.Credentials.GetProperty("certificateApp").GetProperty("certificatePem").GetString()!;
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        // A certificate without its key here (a smart card that was pulled out).
        var signer = new CertificateAssertionSigner(certificate);
        using var engine = Engine.Create();
        var e = await Assert.ThrowsAsync<EnumException<Error>>(() => engine.Connect(CertificateRequest(emu, certificatePem, false).Wire(), _ => { }, signer.Callback, (_, _) => { }));
        var mapped = NativeErrorMapper.FromNative(e.Value);
        Assert.Contains("has no RSA private key", mapped.Message);
        Assert.Equal(0, signer.Signatures);
    }
}
