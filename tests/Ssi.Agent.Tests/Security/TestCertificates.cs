using System.Security.Cryptography.X509Certificates;
using Ssi.Orchestration.Certificates;

namespace Ssi.Agent.Tests.Security;

/// <summary>Certificates for tests of the agents' mutual TLS.</summary>
internal static class TestCertificates
{
    /// <summary>Issued PEM files as a certificate TLS can present (its private key usable by the platform).</summary>
    public static X509Certificate2 Load(CertificateFiles files)
    {
        using var pem = X509Certificate2.CreateFromPem(files.CertificatePem, files.PrivateKeyPem);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate issued by the authority of another cluster: no agent of ours may trust it.</summary>
    public static X509Certificate2 OfAnotherCluster()
    {
        using var other = ClusterCertificateAuthority.Create("other", DateTimeOffset.UtcNow);
        return Load(other.IssueClient("intruder", DateTimeOffset.UtcNow));
    }
}
