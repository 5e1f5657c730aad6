using System.Security.Cryptography.X509Certificates;
using Ssi.Agent.Contracts.Security;

namespace Ssi.Orchestration.Certificates;

/// <summary>Client credentials for talking to a cluster's agents, issued in memory from the cluster CA.</summary>
public static class ClientCredentials
{
    public static AgentCredentials Issue(CertificateFiles authority, string commonName, DateTimeOffset now, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var ca = ClusterCertificateAuthority.Load(authority);
        var client = ca.IssueClient(commonName, now, validity);
        return new AgentCredentials(
            X509Certificate2.CreateFromPem(client.CertificatePem, client.PrivateKeyPem),
            new ClusterTrust(X509Certificate2.CreateFromPem(authority.CertificatePem)));
    }
}
