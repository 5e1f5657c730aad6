using System.Globalization;
using Spectre.Console;
using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary>Renders a local cluster's status as a table.</summary>
internal static class StatusTable
{
    public static void Render(IAnsiConsole console, LocalClusterReport report, DateTimeOffset now)
    {
        var phase = report.State.Phase == LocalClusterPhase.Up ? "[green]Up[/]" : $"[yellow]{report.State.Phase}[/]";
        console.MarkupLine($"Cluster [bold]{Markup.Escape(report.Layout.Cluster)}[/]: {phase}, {report.Nodes.Count} nodes, network {report.Layout.Subnet}");
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "NODE", "INDEX", "ADDRESS", "AGENT PID", "HEALTH", "VERSION", "CRIU", "SHARED FS", "UPTIME" })
        {
            table.AddColumn(column);
        }

        foreach (var node in report.Nodes)
        {
            var info = node.Health.Info;
            var health = node.Health.Healthy
                ? "[green]Healthy[/]"
                : $"[red]{(node.Health.Reachable ? "NotServing" : "Unreachable")}[/] [grey]{Markup.Escape(node.Health.Message)}[/]";
            table.AddRow(
                Markup.Escape(node.Layout.Name),
                node.Layout.Index.ToString(CultureInfo.InvariantCulture),
                $"{node.Layout.Address}:{report.Layout.AgentPort}",
                node.AgentPid is { } pid ? (node.AgentRunning ? pid.ToString(CultureInfo.InvariantCulture) : $"{pid} [red](gone)[/]") : "-",
                health,
                Markup.Escape(info?.AgentVersion ?? "-"),
                Markup.Escape(Capability(info?.Capabilities?.Criu)),
                Markup.Escape(Filesystem(info?.Filesystem)),
                info?.StartedAt is { } started ? Uptime(now - started.ToDateTimeOffset()) : "-");
        }

        console.Write(table);
    }

    private static string Capability(Agent.Contracts.V1.Capability? capability) => capability switch
    {
        null => "-",
        { Available: true, Version.Length: > 0 } => capability.Version,
        { Available: true } => "yes",
        _ => "no",
    };

    private static string Filesystem(Agent.Contracts.V1.FilesystemStatus? fs) => fs switch
    {
        null or { Enabled: false } => "-",
        { Mounted: true } => $"{fs.MountPath} ({fs.Role}{(fs.Passthrough ? ", passthrough" : "")})",
        _ => $"not mounted: {fs.Message}",
    };

    private static string Uptime(TimeSpan span) => span.TotalSeconds switch
    {
        < 60 => $"{(int)span.TotalSeconds}s",
        < 3600 => $"{(int)span.TotalMinutes}m{span.Seconds}s",
        _ => $"{(int)span.TotalHours}h{span.Minutes}m",
    };
}
