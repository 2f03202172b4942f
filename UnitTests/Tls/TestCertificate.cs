using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chat.UnitTests.Tls;

/// <summary>
/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, made in the test (nothing checked in)
/// and written as PEM files to a temp directory: <see cref="CertificatePath"/> (leaf, then the CA as its chain),
/// <see cref="KeyPath"/>, and <see cref="AuthorityPath"/> for curl --cacert and python's ssl.
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(string directory, X509Certificate2 authority, X509Certificate2 leaf)
    {
        Directory = directory;
        Authority = authority;
        Leaf = leaf;
    }

    public string Directory { get; }

    /// <summary>The CA that signed <see cref="Leaf"/>: clients trust it, not the leaf.</summary>
    public X509Certificate2 Authority { get; }

    public X509Certificate2 Leaf { get; }

    public string CertificatePath => Path.Combine(Directory, "cert.pem");

    public string KeyPath => Path.Combine(Directory, "key.pem");

    public string AuthorityPath => Path.Combine(Directory, "ca.pem");

    /// <summary>CHAT_TLS_CERT and CHAT_TLS_KEY for this pair.</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["CHAT_TLS_CERT"] = CertificatePath,
        ["CHAT_TLS_KEY"] = KeyPath,
    };

    public static TestCertificate Create(string commonName = "chat test server")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("chat-tls-").FullName;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN={commonName} CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={commonName}", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var leaf = leafRequest.Create(authority, now.AddDays(-1), now.AddDays(29), serial);

        File.WriteAllText(Path.Combine(directory, "cert.pem"), leaf.ExportCertificatePem() + "\n" + authority.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "key.pem"), leafKey.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(Path.Combine(directory, "ca.pem"), authority.ExportCertificatePem() + "\n");
        return new TestCertificate(directory, authority, leaf);
    }

    /// <summary>Client options that trust <see cref="Authority"/> only, with ALPN http/1.1 offered.</summary>
    public SslClientAuthenticationOptions ClientOptions(string host = "127.0.0.1")
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(Authority);
        return new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateChainPolicy = policy,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
    }

    /// <summary>Accepts exactly this server certificate, for clients that take a validation callback.</summary>
    public bool Validate(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors) =>
        presented is not null && presented.GetCertHashString() == Leaf.GetCertHashString();

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
