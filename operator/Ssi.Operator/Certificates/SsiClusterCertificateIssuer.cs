using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Hosting;
using Ssi.Operator.SsiClusters;
using Ssi.Orchestration.Certificates;

namespace Ssi.Operator.Certificates;

/// <summary>
/// Keeps a cluster's certificates (the I/O and randomness the pure desired state must not do): reuses
/// what the Secrets hold while it is valid, trusted and names what it must; issues anew otherwise,
/// <see cref="OperatorOptions.CertificateRenewBefore"/> ahead of expiry.
/// </summary>
internal sealed class SsiClusterCertificateIssuer(TimeProvider time, OperatorOptions options)
{
    public SsiClusterCertificates Resolve(V1Alpha1SsiCluster cluster, V1Secret? caSecret, V1Secret? agentSecret)
    {
        var now = time.GetUtcNow();
        var renewBefore = options.CertificateRenewBefore;
        using var authority = LoadAuthority(caSecret, now, renewBefore) ?? ClusterCertificateAuthority.Create(cluster.Metadata.Name, now);
        var ca = authority.Export();
        var names = AgentDnsNames(cluster);

        if (agentSecret?.Data is { } data
            && Text(data, "ca.crt") == ca.CertificatePem
            && Text(data, "agent.crt") is { } certPem
            && Text(data, "agent.key") is { } keyPem
            && IsCurrent(certPem, names, now, renewBefore))
        {
            return new SsiClusterCertificates(ca.CertificatePem, ca.PrivateKeyPem, certPem, keyPem);
        }

        var agent = authority.IssueAgent("ssi-agent." + cluster.Metadata.Name, names, [], now);
        return new SsiClusterCertificates(ca.CertificatePem, ca.PrivateKeyPem, agent.CertificatePem, agent.PrivateKeyPem);
    }

    /// <summary>Every agent presents the same certificate: it names the headless Service and each listed node.</summary>
    public static IReadOnlyList<string> AgentDnsNames(V1Alpha1SsiCluster cluster)
    {
        var service = SsiClusterNames.ServiceDns(cluster.Metadata.Name, cluster.Metadata.NamespaceProperty);
        return [service, "*." + service, .. (cluster.Spec.Nodes ?? []).Select(n => n.Name).Order(StringComparer.Ordinal)];
    }

    private static ClusterCertificateAuthority? LoadAuthority(V1Secret? secret, DateTimeOffset now, TimeSpan renewBefore)
    {
        if (secret?.Data is not { } data || Text(data, "ca.crt") is not { } cert || Text(data, "ca.key") is not { } key)
        {
            return null;
        }

        try
        {
            var authority = ClusterCertificateAuthority.Load(new CertificateFiles(cert, key));
            if (authority.Certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < renewBefore)
            {
                authority.Dispose();
                return null;
            }

            return authority;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static bool IsCurrent(string certificatePem, IReadOnlyList<string> names, DateTimeOffset now, TimeSpan renewBefore)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(certificatePem);
            if (certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < renewBefore)
            {
                return false;
            }

            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
            var present = san?.EnumerateDnsNames().ToHashSet(StringComparer.Ordinal) ?? [];
            return names.All(present.Contains);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static string? Text(IDictionary<string, byte[]> data, string key) =>
        data.TryGetValue(key, out var bytes) && bytes is { Length: > 0 } ? Encoding.UTF8.GetString(bytes) : null;
}
