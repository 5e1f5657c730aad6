using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Spectre.Console;
using Ssi.Agent.Contracts.Processes;
using Ssi.Orchestration.Processes;

namespace Ssi.Orchestration.CommandLine;

/// <summary><c>ps</c>, <c>kill</c>, <c>run</c>: the cluster-wide process space, for `ssi` and `kubectl ssi` alike.</summary>
public static class ProcessCommands
{
    public static IEnumerable<Command> Build(IProcessCommandHost host) => [Ps(host), Kill(host), RunCommand.Build(host)];

    private static Command Ps(IProcessCommandHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var output = new Option<string>("--output", "-o") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ps", "List every SSI process of the cluster, on every node.") { output };
        host.AddClusterOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ClusterProcessList list;
            try
            {
                var connector = await host.ConnectAsync(parse, cancellationToken).ConfigureAwait(false);
                using (connector as IDisposable)
                {
                    list = await new ClusterProcesses(connector, ClusterProcesses.DefaultDeadline).ListAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ClusterConnectionException e)
            {
                return host.Fail(e.Message);
            }

            if (parse.GetValue(output) == "json")
            {
                RawOutput.WriteLine(JsonSerializer.Serialize(ProcessListJson.From(list), CommandLineJsonContext.Default.ProcessListJson));
            }
            else
            {
                RenderTable(host.Console, list);
            }

            return list.Unreachable.Count == 0 ? ExitCodes.Success : ExitCodes.Unhealthy;
        });
        return command;
    }

    private static void RenderTable(IAnsiConsole console, ClusterProcessList list)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "CPID", "NODE", "PID", "PPID", "STAT", "%CPU", "RSS", "START", "COMMAND" })
        {
            table.AddColumn(column);
        }

        foreach (var p in list.Processes)
        {
            table.AddRow(
                p.ClusterPid.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(p.Node),
                p.NamespacePid.ToString(CultureInfo.InvariantCulture),
                p.ParentClusterPid == 0 ? "-" : p.ParentClusterPid.ToString(CultureInfo.InvariantCulture),
                p.State,
                p.CpuPercent.ToString("F1", CultureInfo.InvariantCulture),
                Size(p.RssBytes),
                p.StartedAt?.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(p.CommandLine));
        }

        console.Write(table);
        foreach (var node in list.Unreachable)
        {
            console.MarkupLine($"[yellow]warning:[/] node {Markup.Escape(node.Node)} is unreachable: {Markup.Escape(node.Reason)}; its processes are not listed");
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (double)(1 << 30)).ToString("F1", CultureInfo.InvariantCulture) + "G",
        >= 1 << 20 => (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + "M",
        _ => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "K",
    };

    private static Command Kill(IProcessCommandHost host)
    {
        var signal = new Option<string>("--signal", "-s") { Description = "Signal name or number (kill -9 CPID and kill -TERM CPID work too).", DefaultValueFactory = _ => "TERM" };
        var groups = new Option<string[]>("--group") { Description = "Signal the process group led by this cluster PID (kill -- -PGID works too).", AllowMultipleArgumentsPerToken = false };
        var targets = new Argument<string[]>("cpid") { Description = "Cluster PIDs.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("kill", "Send a signal to any SSI process of the cluster, from anywhere.") { signal, groups, targets };
        host.AddClusterOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!SignalNames.TryParse(parse.GetValue(signal)!, out var number))
            {
                return host.Fail($"\"{parse.GetValue(signal)}\" is not a signal", ExitCodes.InvalidInput);
            }

            var work = (parse.GetValue(targets) ?? []).Select(t => (Text: t, Group: false))
                .Concat((parse.GetValue(groups) ?? []).Select(t => (Text: t, Group: true)))
                .ToList();
            if (work.Count == 0)
            {
                return host.Fail("name at least one cluster PID (see ssi ps)", ExitCodes.InvalidInput);
            }

            var parsed = new List<(ClusterPid Pid, bool Group)>();
            foreach (var (text, group) in work)
            {
                if (!ClusterPid.TryParse(text, out var pid, out var reason))
                {
                    return host.Fail(reason, ExitCodes.InvalidInput);
                }

                parsed.Add((pid, group));
            }

            try
            {
                var connector = await host.ConnectAsync(parse, cancellationToken).ConfigureAwait(false);
                using (connector as IDisposable)
                {
                    var processes = new ClusterProcesses(connector, ClusterProcesses.DefaultDeadline);
                    foreach (var (pid, group) in parsed)
                    {
                        await processes.SignalAsync(pid, number, group, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is ClusterConnectionException or ProcessNotFoundException)
            {
                return host.Fail(e.Message);
            }
            catch (RpcException e)
            {
                return host.Fail(e.Status.Detail);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
