using System.CommandLine;
using System.Globalization;
using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;

namespace Ssi.Kubectl.Commands;

/// <summary>
/// <c>kubectl ssi migrate</c> and <c>kubectl ssi plan</c>: a ProcessMigration is created (plan = dry
/// run) and followed until it ends; the operator does the work.
/// </summary>
internal static class MigrateCommands
{
    private static readonly string[] FinalPhases = ["Succeeded", "Failed", "RolledBack", "Planned"];

    public static IEnumerable<Command> Build(KubeOptions kube)
    {
        yield return Make("migrate", "Move a running workload (any of its cluster PIDs) to another node of its SsiCluster.", dryRun: false, kube);
        yield return Make("plan", "Show what a migration would do with every descriptor, without freezing anything.", dryRun: true, kube);
    }

    private static Command Make(string name, string description, bool dryRun, KubeOptions kube)
    {
        var cluster = new Argument<string>("cluster") { Description = "The SsiCluster." };
        var pid = new Argument<long>("cluster-pid") { Description = "A cluster PID of the workload (as `ssi ps` shows it)." };
        var target = new Argument<string>("target-node") { Description = "The node to move to." };
        var mode = new Option<string>("--mode") { Description = "stop-copy, lazy or auto.", DefaultValueFactory = _ => ProcessMigrationSpec.ModeAuto };
        var noWait = new Option<bool>("--no-wait") { Description = "Create the ProcessMigration and return." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the end.", DefaultValueFactory = _ => 600 };
        var command = new Command(name, description) { cluster, pid, target };
        command.Options.Add(mode);
        command.Options.Add(noWait);
        command.Options.Add(timeout);
        kube.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (client, ns, _) = kube.Connect(parse);
            using (client)
            {
                var migration = new V1Alpha1ProcessMigration
                {
                    Metadata = new V1ObjectMeta { GenerateName = $"{parse.GetValue(cluster)}-{parse.GetValue(pid).ToString(CultureInfo.InvariantCulture)}-", NamespaceProperty = ns },
                    Spec = new ProcessMigrationSpec
                    {
                        Cluster = parse.GetValue(cluster)!,
                        ClusterPid = parse.GetValue(pid),
                        TargetNode = parse.GetValue(target)!,
                        Mode = parse.GetValue(mode),
                        DryRun = dryRun,
                    },
                };
                var created = KubernetesJson.Deserialize<V1Alpha1ProcessMigration>(KubernetesJson.Serialize(
                    await client.CustomObjects.CreateNamespacedCustomObjectAsync(migration, SsiApiGroup.Group, SsiApiGroup.Version, ns, V1Alpha1ProcessMigration.PluralName, cancellationToken: cancellationToken)));
                var nameCreated = created.Metadata.Name;
                Console.WriteLine($"processmigration.ssi.io/{nameCreated} created");
                if (parse.GetValue(noWait))
                {
                    return 0;
                }

                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromSeconds(parse.GetValue(timeout)));
                string? shown = null;
                while (true)
                {
                    V1Alpha1ProcessMigration current;
                    try
                    {
                        current = KubernetesJson.Deserialize<V1Alpha1ProcessMigration>(KubernetesJson.Serialize(
                            await client.CustomObjects.GetNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, ns, V1Alpha1ProcessMigration.PluralName, nameCreated, deadline.Token)));
                        await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        await Console.Error.WriteLineAsync($"{nameCreated}: not finished after {parse.GetValue(timeout)} s (kubectl get pm {nameCreated} -n {ns} -w)");
                        return 3;
                    }

                    var status = current.Status;
                    if (status?.Phase is { } phase && phase != shown)
                    {
                        shown = phase;
                        Console.WriteLine($"  {phase,-13} {status.Message}");
                    }

                    if (status?.Phase is { } final && FinalPhases.Contains(final))
                    {
                        Print(status);
                        return final is "Succeeded" or "Planned" ? 0 : 1;
                    }
                }
            }
        });
        return command;
    }

    private static void Print(ProcessMigrationStatus status)
    {
        if (status.SourceNode is not null)
        {
            Console.WriteLine($"source {status.SourceNode}, target {status.TargetNode}, mode {status.Mode ?? "-"}, frozen {(status.FreezeMs?.ToString(CultureInfo.InvariantCulture) ?? "-")} ms, {(status.BytesTransferred?.ToString(CultureInfo.InvariantCulture) ?? "-")} bytes");
        }

        if (status.Plan is { Count: > 0 } plan)
        {
            Console.WriteLine($"{"PID",-10} {"FD",4} {"KIND",-12} {"ACTION",-10} TARGET");
            foreach (var d in plan)
            {
                Console.WriteLine($"{d.ClusterPid,-10} {d.Fd,4} {d.Kind,-12} {d.Action,-10} {d.Target}{(d.Reason is null ? "" : $" ({d.Reason})")}");
            }
        }
    }
}
