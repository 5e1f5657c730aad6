using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Ssi.Api.V1Alpha1;
using Ssi.Cli.Console;
using Ssi.Cli.Local;
using Ssi.Orchestration.CommandLine;
using Ssi.Orchestration.Manifests;

namespace Ssi.Cli.Commands;

/// <summary><c>ssi local up|status|down|restart</c>: a cluster of network-namespace nodes on this machine.</summary>
internal static class LocalCommands
{
    public static Command Build(CliContext context)
    {
        var local = new Command("local", "Run an SSI cluster on this machine, one network and mount namespace per node.");
        local.Subcommands.Add(Up(context));
        local.Subcommands.Add(Status(context));
        local.Subcommands.Add(Down(context));
        local.Subcommands.Add(Restart(context));
        return local;
    }

    private static Command Restart(CliContext context)
    {
        var name = new Option<string>("--name", "-n") { Description = "Cluster name.", Required = true };
        var node = new Argument<string>("node") { Description = "The node whose agent to restart." };
        var kill = new Option<bool>("--kill") { Description = "Kill the agent (SIGKILL, as a crash would) instead of stopping it." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the new agent to be healthy.", DefaultValueFactory = _ => 60 };
        var command = new Command("restart", "Restart the agent of one node of a local cluster (its namespaces, mounts and processes stay).") { name, node, kill, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cluster = parse.GetValue(name)!;
            var nodeName = parse.GetValue(node)!;
            try
            {
                var provisioner = new LocalClusterProvisioner(context.LocalRoot, new ConsoleProgress(context.Console), TimeProvider.System);
                var record = await provisioner.RestartAgentAsync(cluster, nodeName, parse.GetValue(kill), TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
                context.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"The agent of node [bold]{Markup.Escape(nodeName)}[/] runs again (pid {record.Pid})."));
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is LocalClusterException or HostCommandException or IOException)
            {
                return context.Fail(e.Message);
            }
        });
        return command;
    }

    private static Command Up(CliContext context)
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "SsiCluster YAML (e.g. crds/samples/ssicluster-local.yaml).", Required = true };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for every agent to be healthy.", DefaultValueFactory = _ => 60 };
        var command = new Command("up", "Create the nodes of an SsiCluster and start an agent on each.") { file, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!.FullName;
            V1Alpha1SsiCluster cluster;
            try
            {
                cluster = SsiClusterManifest.Load(path, localMode: true);
            }
            catch (ManifestException e)
            {
                return context.Fail(e.Message, ExitCodes.InvalidInput);
            }

            var console = context.Console;
            console.MarkupLine($"Bringing up local SSI cluster [bold]{Markup.Escape(cluster.Metadata.Name)}[/] with {cluster.Spec.Nodes!.Count} nodes");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var provisioner = new LocalClusterProvisioner(context.LocalRoot, new ConsoleProgress(console), TimeProvider.System);
                var up = () => provisioner.UpAsync(cluster, path, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
                if (console.Profile.Capabilities.Interactive)
                {
                    await console.Status().StartAsync("bringing up the nodes", _ => up());
                }
                else
                {
                    await up();
                }
            }
            catch (Exception e) when (e is LocalClusterException or HostCommandException or IOException)
            {
                return context.Fail(e.Message);
            }

            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Cluster [bold]{Markup.Escape(cluster.Metadata.Name)}[/] is up ({clock.Elapsed.TotalSeconds:F1} s). Next: [grey]ssi local status -n {Markup.Escape(cluster.Metadata.Name)}[/]"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var name = new Option<string?>("--name", "-n") { Description = "Cluster name (default: every local cluster)." };
        var output = new Option<string>("--output", "-o") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("status", "Show the nodes of local clusters and the health of their agents.") { name, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var clusters = parse.GetValue(name) is { } one ? [one] : LocalClusterStatusReader.ListClusters(context.LocalRoot);
            if (clusters.Count == 0)
            {
                context.Console.MarkupLine("No local cluster is up. Start one with [grey]ssi local up -f crds/samples/ssicluster-local.yaml[/]");
                return ExitCodes.Success;
            }

            var reports = new List<LocalClusterReport>();
            try
            {
                foreach (var cluster in clusters)
                {
                    reports.Add(await LocalClusterStatusReader.ReadAsync(context.LocalRoot, cluster, cancellationToken));
                }
            }
            catch (LocalClusterException e)
            {
                return context.Fail(e.Message);
            }

            if (parse.GetValue(output) == "json")
            {
                CliContext.WriteRaw(JsonSerializer.Serialize(reports.Select(StatusJson.From).ToList(), CliJsonContext.Default.IReadOnlyListStatusJson));
            }
            else
            {
                foreach (var report in reports)
                {
                    StatusTable.Render(context.Console, report, DateTimeOffset.UtcNow);
                }
            }

            return reports.All(r => r.Healthy) ? ExitCodes.Success : ExitCodes.Unhealthy;
        });
        return command;
    }

    private static Command Down(CliContext context)
    {
        var name = new Option<string?>("--name", "-n") { Description = "Cluster name." };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "SsiCluster YAML whose cluster to remove." };
        var command = new Command("down", "Remove a local cluster: agents, namespaces, links, mounts and state.") { name, file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string cluster;
            try
            {
                cluster = parse.GetValue(name)
                    ?? (parse.GetValue(file) is { } f ? SsiClusterManifest.Load(f.FullName, localMode: true).Metadata.Name : null)
                    ?? throw new LocalClusterException("name the cluster with --name or --file");
            }
            catch (ManifestException e)
            {
                return context.Fail(e.Message, ExitCodes.InvalidInput);
            }
            catch (LocalClusterException e)
            {
                return context.Fail(e.Message, ExitCodes.InvalidInput);
            }

            context.Console.MarkupLine($"Removing local SSI cluster [bold]{Markup.Escape(cluster)}[/]");
            try
            {
                var removed = await LocalClusterTeardown.DownAsync(cluster, context.LocalRoot, new ConsoleProgress(context.Console), cancellationToken);
                context.Console.MarkupLine(removed ? $"Cluster [bold]{Markup.Escape(cluster)}[/] is gone." : $"There was no local cluster named {Markup.Escape(cluster)}; nothing to remove.");
                return ExitCodes.Success;
            }
            catch (LocalClusterException e)
            {
                return context.Fail(e.Message);
            }
        });
        return command;
    }
}
