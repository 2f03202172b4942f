using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chat.Pipeline.Tls;

/// <summary>
/// The server's certificate and key, read from two PEM files, as the options every new TLS handshake starts from:
/// TLS 1.2 and 1.3 only, ALPN http/1.1, no client certificate. <see cref="TryReload"/> swaps the pair for new
/// handshakes; open connections keep the one they were made with.
/// </summary>
public sealed class TlsCredentials
{
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http11];

    private SslServerAuthenticationOptions _options;

    private TlsCredentials(string certificatePath, string keyPath, X509Certificate2 certificate, SslServerAuthenticationOptions options)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        Certificate = certificate;
        _options = options;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The certificate new handshakes present.</summary>
    public X509Certificate2 Certificate { get; private set; }

    /// <summary>What the next handshake uses; replaced whole on reload, never changed in place.</summary>
    internal SslServerAuthenticationOptions Options => Volatile.Read(ref _options);

    /// <summary>Reads and checks the pair; throws <see cref="TlsCredentialsException"/> with a one-line reason.</summary>
    public static TlsCredentials Load(string certificatePath, string keyPath)
    {
        var (certificate, options) = Read(certificatePath, keyPath);
        return new TlsCredentials(certificatePath, keyPath, certificate, options);
    }

    /// <summary>Reads the files again; on any problem keeps the current pair and says why.</summary>
    public bool TryReload(out string error)
    {
        try
        {
            var (certificate, options) = Read(CertificatePath, KeyPath);
            Volatile.Write(ref _options, options);
            Certificate = certificate;
            error = "";
            return true;
        }
        catch (TlsCredentialsException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static (X509Certificate2, SslServerAuthenticationOptions) Read(string certificatePath, string keyPath)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            chain.ImportFromPemFile(certificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsCredentialsException($"cannot read the TLS certificate or key: {e.Message}");
        }
        // A key of another certificate is an ArgumentException for EC keys and a CryptographicException for RSA ones.
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new TlsCredentialsException($"bad TLS certificate '{certificatePath}' or key '{keyPath}' (not PEM, or the key does not match the certificate): {e.Message}");
        }
        if (!certificate.HasPrivateKey) throw new TlsCredentialsException($"the TLS key '{keyPath}' holds no private key for the certificate");
        // The files hold the leaf first, then any intermediates: the handshake sends those too.
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Alpn,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        return (certificate, options);
    }
}
