using System.Security.Cryptography.X509Certificates;

namespace Ssi.Agent.Contracts.Security;

/// <summary>What a party of the cluster presents (its certificate and key) and trusts (the cluster CA).</summary>
public sealed record AgentCredentials(X509Certificate2 Certificate, ClusterTrust Trust)
{
    /// <summary>Loads credentials from a directory with ca.crt, NAME.crt and NAME.key.</summary>
    public static AgentCredentials FromDirectory(string directory, string name)
    {
        var ca = Path.Combine(directory, "ca.crt");
        var cert = Path.Combine(directory, name + ".crt");
        var key = Path.Combine(directory, name + ".key");
        foreach (var file in new[] { ca, cert, key })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"credential file {file} is missing", file);
            }
        }

        return new AgentCredentials(PemFiles.LoadCertificateWithKey(cert, key), ClusterTrust.FromPemFile(ca));
    }
}
