using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.Hosting;

/// <summary>The operator's informers (one per kind of <see cref="OperatorResources"/>) and clients.</summary>
internal sealed class OperatorCaches
{
    public OperatorCaches(IKubernetes client, OperatorOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        Client = client;
        Informer<T> Make<T>(ResourceKind kind, string? selector)
            where T : class, IKubernetesObject<V1ObjectMeta> =>
            new(new ResourceClient<T>(client, kind), new InformerOptions { LabelSelector = selector, ResyncPeriod = options.ResyncPeriod }, loggers.CreateLogger("Ssi.Operator.Informer." + kind.Plural), time);

        SsiClusters = Make<V1Alpha1SsiCluster>(OperatorResources.SsiClusters, null);
        ProcessMigrations = Make<V1Alpha1ProcessMigration>(OperatorResources.ProcessMigrations, null);
        ServiceAccounts = Make<V1ServiceAccount>(ResourceKind.ServiceAccount, SsiClusterNames.ManagedSelector);
        Roles = Make<V1Role>(ResourceKind.Role, SsiClusterNames.ManagedSelector);
        RoleBindings = Make<V1RoleBinding>(ResourceKind.RoleBinding, SsiClusterNames.ManagedSelector);
        Secrets = Make<V1Secret>(ResourceKind.Secret, SsiClusterNames.ManagedSelector);
        ConfigMaps = Make<V1ConfigMap>(ResourceKind.ConfigMap, SsiClusterNames.ManagedSelector);
        Services = Make<V1Service>(ResourceKind.Service, SsiClusterNames.ManagedSelector);
        DaemonSets = Make<V1DaemonSet>(ResourceKind.DaemonSet, SsiClusterNames.ManagedSelector);
        Pods = Make<V1Pod>(ResourceKind.Pod, SsiClusterNames.NameLabel + "=" + SsiClusterNames.AgentComponent);
    }

    public IKubernetes Client { get; }

    public Informer<V1Alpha1SsiCluster> SsiClusters { get; }

    public Informer<V1Alpha1ProcessMigration> ProcessMigrations { get; }

    public Informer<V1ServiceAccount> ServiceAccounts { get; }

    public Informer<V1Role> Roles { get; }

    public Informer<V1RoleBinding> RoleBindings { get; }

    public Informer<V1Secret> Secrets { get; }

    public Informer<V1ConfigMap> ConfigMaps { get; }

    public Informer<V1Service> Services { get; }

    public Informer<V1DaemonSet> DaemonSets { get; }

    public Informer<V1Pod> Pods { get; }

    public IReadOnlyList<IInformer> All => [SsiClusters, ProcessMigrations, ServiceAccounts, Roles, RoleBindings, Secrets, ConfigMaps, Services, DaemonSets, Pods];
}
