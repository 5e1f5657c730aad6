using Ssi.Orchestration.Certificates;

namespace Ssi.Cli.Local;

/// <summary>
/// The local cluster's certificates: a CA, one agent certificate per node (in a directory of its
/// own, as a Kubernetes Secret would be mounted) and a client certificate for the CLI.
/// </summary>
internal static class LocalPki
{
    public static void Create(LocalClusterLayout layout, DateTimeOffset now)
    {
        using var authority = ClusterCertificateAuthority.Create(layout.Cluster, now);
        var ca = authority.Export();
        ca.WriteTo(layout.PkiDirectory, "ca");
        foreach (var node in layout.Nodes)
        {
            var agent = authority.IssueAgent(
                $"ssi-agent-{layout.Cluster}-{node.Name}",
                [node.Name, $"{node.Name}.{layout.Cluster}.ssi.local"],
                [node.Address],
                now);
            agent.WriteTo(node.CredentialsDirectory, "agent");
            File.WriteAllText(Path.Combine(node.CredentialsDirectory, "ca.crt"), ca.CertificatePem);
        }

        authority.IssueClient($"ssi-cli-{layout.Cluster}", now).WriteTo(layout.ClientCredentialsDirectory, "cli");
        File.WriteAllText(Path.Combine(layout.ClientCredentialsDirectory, "ca.crt"), ca.CertificatePem);
    }
}
