using System.CommandLine;
using Spectre.Console;
using Ssi.Cli.Local;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.CommandLine;

namespace Ssi.Cli.Commands;

/// <summary>`ssi ps/kill/run` on a local cluster: <c>--cluster</c> names it (default: the only one up).</summary>
internal sealed class LocalProcessCommandHost(CliContext context) : IProcessCommandHost
{
    private readonly Option<string?> _cluster = ClusterOption.Create();

    public IAnsiConsole Console => context.Console;

    public string? NodeShortAlias => "-n";

    public void AddClusterOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_cluster);
    }

    public Task<IAgentConnector> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<IAgentConnector>(ClusterOption.Connect(context, parse, _cluster));
        }
        catch (LocalClusterException e)
        {
            throw new ClusterConnectionException(e.Message, e);
        }
    }

    public int Fail(string message, int exitCode = ExitCodes.Failure) => context.Fail(message, exitCode);
}
