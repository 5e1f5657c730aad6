using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ssi.Orchestration.Certificates;

/// <summary>
/// The per-cluster certificate authority: issues the certificates that agents present to each
/// other and to the operator and CLI. ECDSA P-256 keys; the CA never leaves the party that runs it
/// (the operator's Secret, or the local state directory).
/// </summary>
public sealed class ClusterCertificateAuthority : IDisposable
{
    public static readonly TimeSpan AuthorityValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafValidity = TimeSpan.FromDays(365);

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private ClusterCertificateAuthority(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static ClusterCertificateAuthority Create(string clusterName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=ssi-ca-{clusterName}, O=ssi.io", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(now - ClockSkew, now + AuthorityValidity);
        return new ClusterCertificateAuthority(certificate);
    }

    public static ClusterCertificateAuthority Load(CertificateFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return new ClusterCertificateAuthority(X509Certificate2.CreateFromPem(files.CertificatePem, files.PrivateKeyPem));
    }

    /// <summary>A certificate for an agent: server and client use, named by DNS names and IP addresses.</summary>
    public CertificateFiles IssueAgent(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset now) =>
        Issue(commonName, dnsNames, addresses, server: true, now, LeafValidity);

    /// <summary>A client-only certificate (the CLI, the operator).</summary>
    public CertificateFiles IssueClient(string commonName, DateTimeOffset now) =>
        Issue(commonName, [], [], server: false, now, LeafValidity);

    /// <summary>A client-only certificate valid for <paramref name="validity"/> (short-lived ones for people).</summary>
    public CertificateFiles IssueClient(string commonName, DateTimeOffset now, TimeSpan validity) =>
        Issue(commonName, [], [], server: false, now, validity);

    public CertificateFiles Export() => new(Certificate.ExportCertificatePem(), Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

    public void Dispose() => Certificate.Dispose();

    private CertificateFiles Issue(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, bool server, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=ssi.io", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (server)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var names = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
            any = true;
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
            any = true;
        }

        if (any)
        {
            request.CertificateExtensions.Add(names.Build(critical: false));
        }

        var notAfter = now + validity;
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, now - ClockSkew, notAfter, serial);
        return new CertificateFiles(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
