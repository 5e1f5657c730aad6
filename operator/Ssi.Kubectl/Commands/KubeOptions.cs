using System.CommandLine;
using k8s;

namespace Ssi.Kubectl.Commands;

/// <summary>The kubectl flags a plugin honours itself (kubectl does not pass them on): --kubeconfig, --context, -n.</summary>
internal sealed class KubeOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path to the kubeconfig file (default: KUBECONFIG, then ~/.kube/config)." };

    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use." };

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "Namespace of the SsiCluster (default: the context's)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Namespace);
    }

    /// <summary>A client from the kubeconfig, or from the pod's service account (<c>InCluster</c>) when there is none and we run in a pod.</summary>
    public (Kubernetes Client, string Namespace, bool InCluster) Connect(ParseResult parse)
    {
        var path = parse.GetValue(Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG");
        var inCluster = path is null && KubernetesClientConfiguration.IsInCluster();
        var config = inCluster
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(path, parse.GetValue(Context));
        return (new Kubernetes(config), parse.GetValue(Namespace) ?? config.Namespace ?? "default", inCluster);
    }
}
