using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Signs the engine's client assertions with a certificate's private key where the key lives
/// (the certificate store, a smart card, an HSM), so a non-exportable key works and no private
/// key crosses to the engine: only the JWT <c>header.payload</c> comes in and a signature goes out.
/// </summary>
/// <remarks>
/// The engine keeps the callback for the session's lifetime and calls it again on every token
/// refresh, from its worker threads, long after Connect-OutlookQrGuard returned. So it must never
/// throw (interoptopus would hand Rust an empty reply): every failure becomes "error: …".
/// Protocol (rust-core/src/ffi/engine.rs, SignerCallback): algorithm "PS256" or "RS256"; reply
/// the signature in standard base64, or "error: " and the reason.
/// </remarks>
internal sealed class CertificateAssertionSigner
{
    private readonly X509Certificate2 _certificate;
    private readonly Func<RSA?> _key;

    /// <param name="key">Where the private key comes from; default: the certificate's own (a new
    /// handle per signature, as Windows CNG keys and smart cards want).</param>
    internal CertificateAssertionSigner(X509Certificate2 certificate, Func<RSA?>? key = null)
    {
        _certificate = certificate;
        _key = key ?? certificate.GetRSAPrivateKey;
    }

    /// <summary>Signatures made so far (tests: a token refresh signs again).</summary>
    internal int Signatures => _signatures;
    private int _signatures;

    internal SignerCallbackDelegate Callback => (algorithm, signingInput) => Utf8String.From(Reply(algorithm, signingInput));

    /// <summary>For sign-in methods without a certificate: the engine never calls it, and if it did, it would get a refusal.</summary>
    internal static SignerCallbackDelegate None => (algorithm, signingInput) =>
    {
        Release(algorithm);
        Release(signingInput);
        return Utf8String.From("error: this session has no certificate");
    };

    private string Reply(Utf8String algorithm, Utf8String signingInput)
    {
        try
        {
            var name = algorithm.IntoString();
            var input = Encoding.ASCII.GetBytes(signingInput.IntoString());
            var signature = Sign(_key, _certificate.Thumbprint, name, input);
            try
            {
                System.Threading.Interlocked.Increment(ref _signatures);
                return Convert.ToBase64String(signature);
            }
            finally
            {
                // The base64 string is immutable and cannot be wiped; the raw bytes can.
                CryptographicOperations.ZeroMemory(signature);
            }
        }
        catch (Exception e)
        {
            return "error: " + e.Message;
        }
    }

    /// <summary>RSASSA-PSS (PS256: SHA-256, MGF1-SHA-256, salt = hash length) or RSASSA-PKCS1-v1_5 (RS256), RFC 7518 §3.3/§3.5.</summary>
    private static byte[] Sign(Func<RSA?> key, string thumbprint, string algorithm, byte[] signingInput)
    {
        var padding = algorithm switch
        {
            "PS256" => RSASignaturePadding.Pss,
            "RS256" => RSASignaturePadding.Pkcs1,
            _ => throw new ArgumentException($"'{algorithm}' is not a supported assertion algorithm", nameof(algorithm)),
        };
        using var rsa = key()
            ?? throw new CryptographicException($"the certificate {thumbprint} has no RSA private key");
        // RSASignaturePadding.Pss: "salt bytes equal to the size of the hash" (32 for SHA-256), as PS256
        // requires (learn.microsoft.com/dotnet/api/system.security.cryptography.rsasignaturepadding.pss).
        // The engine checks each signature against the certificate before sending it.
        return rsa.SignData(signingInput, HashAlgorithmName.SHA256, padding);
    }

    private static void Release(Utf8String value)
    {
        try { value.Dispose(); }
        catch (Exception) { /* never throw on an engine thread */ }
    }
}
