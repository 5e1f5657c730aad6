using System.CommandLine;
using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary>The --cluster option of commands that talk to a running cluster, and how it resolves.</summary>
internal static class ClusterOption
{
    public static Option<string?> Create() => new("--cluster", "-c") { Description = "Local cluster name (default: the only one that is up)." };

    public static LocalAgentConnector Connect(CliContext context, ParseResult parse, Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parse);
        var (layout, _) = LocalClusterResolver.Resolve(context.LocalRoot, parse.GetValue(option));
        return LocalAgentConnector.ForCli(layout);
    }
}
