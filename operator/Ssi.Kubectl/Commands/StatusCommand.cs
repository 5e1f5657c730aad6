using System.CommandLine;
using k8s;
using Ssi.Api.V1Alpha1;

namespace Ssi.Kubectl.Commands;

/// <summary><c>kubectl ssi status</c>: every SsiCluster of the namespace with its nodes' health.</summary>
internal static class StatusCommand
{
    public static Command Build(KubeOptions kube)
    {
        var command = new Command("status", "Show the SsiClusters of the namespace and the health of their agents.");
        kube.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (client, ns, _) = kube.Connect(parse);
            using (client)
            {
                var list = KubernetesJson.Deserialize<SsiClusterList>(KubernetesJson.Serialize(
                    await client.CustomObjects.ListNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, ns, V1Alpha1SsiCluster.PluralName, cancellationToken: cancellationToken)));
                if (list.Items.Count == 0)
                {
                    Console.WriteLine($"No SsiCluster in namespace {ns}.");
                    return 0;
                }

                foreach (var cluster in list.Items)
                {
                    var ready = cluster.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
                    Console.WriteLine($"{cluster.Metadata.Name}: Ready={ready?.Status ?? "Unknown"} ({ready?.Reason ?? "not reconciled yet"}), {cluster.Status?.ReadyNodes ?? 0} nodes ready");
                    foreach (var node in cluster.Status?.Nodes ?? [])
                    {
                        Console.WriteLine($"  {node.Name,-20} {(node.Healthy ? "healthy" : "unhealthy"),-10} {node.AgentVersion ?? "-",-10} {node.Message}");
                    }
                }

                return 0;
            }
        });
        return command;
    }
}
