using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Ssi.Cli.Local;
using Ssi.Orchestration.CommandLine;
using Ssi.Orchestration.Devices;

namespace Ssi.Cli.Commands;

/// <summary><c>ssi dev ls</c>: every node's exported devices and who has them open.</summary>
internal static class DeviceCommands
{
    public static Command Build(CliContext context)
    {
        var dev = new Command("dev", "Devices of every node, usable from every node under /run/ssi/dev/NODE/NAME.");
        dev.Subcommands.Add(List(context));
        return dev;
    }

    private static Command List(CliContext context)
    {
        var cluster = ClusterOption.Create();
        var output = new Option<string>("--output", "-o") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ls", "List every exported device of the cluster with its node and who has it open.") { cluster, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ClusterDeviceList list;
            try
            {
                using var connector = ClusterOption.Connect(context, parse, cluster);
                list = await new ClusterDevices(connector, ClusterDevices.DefaultDeadline).ListAsync(cancellationToken);
            }
            catch (LocalClusterException e)
            {
                return context.Fail(e.Message);
            }

            if (parse.GetValue(output) == "json")
            {
                context.Console.WriteLine(JsonSerializer.Serialize(DeviceListJson.From(list), CliJsonContext.Default.DeviceListJson));
            }
            else
            {
                Render(context.Console, list);
            }

            return list.Unreachable.Count == 0 ? ExitCodes.Success : ExitCodes.Unhealthy;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, ClusterDeviceList list)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "NODE", "NAME", "DEVICE", "MAJ:MIN", "OPENED BY" })
        {
            table.AddColumn(column);
        }

        foreach (var d in list.Devices)
        {
            var openers = d.Device.Openers.Count == 0
                ? "-"
                : string.Join(", ", d.Device.Openers.Select(o => $"{o.Node}:{o.Pid.ToString(CultureInfo.InvariantCulture)} ({o.Command})"));
            table.AddRow(
                Markup.Escape(d.Node),
                Markup.Escape(d.Device.Name),
                Markup.Escape(d.Device.Path),
                $"{d.Device.Major.ToString(CultureInfo.InvariantCulture)}:{d.Device.Minor.ToString(CultureInfo.InvariantCulture)}",
                Markup.Escape(openers));
        }

        console.Write(table);
        foreach (var node in list.Unreachable)
        {
            console.MarkupLine($"[yellow]warning:[/] node {Markup.Escape(node.Node)} is unreachable: {Markup.Escape(node.Reason)}; its devices are not listed");
        }
    }
}
