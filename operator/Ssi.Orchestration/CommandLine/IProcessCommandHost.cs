using System.CommandLine;
using Spectre.Console;
using Ssi.Orchestration.Agents;

namespace Ssi.Orchestration.CommandLine;

/// <summary>
/// What a command-line program (`ssi`, `kubectl ssi`) gives the shared process commands: its
/// console, the options that name the cluster and how those options become a way to the agents.
/// </summary>
public interface IProcessCommandHost
{
    IAnsiConsole Console { get; }

    /// <summary>Short alias of <c>run --node</c>, or null where the short name means something else (kubectl's <c>-n</c>).</summary>
    string? NodeShortAlias { get; }

    /// <summary>Adds the options that say which cluster, and how to reach it, to a command.</summary>
    void AddClusterOptions(Command command);

    /// <summary>
    /// The agents of the cluster the options name. Throws <see cref="ClusterConnectionException"/>
    /// with a sentence when there is no such cluster or it cannot be reached.
    /// </summary>
    Task<IAgentConnector> ConnectAsync(ParseResult parse, CancellationToken cancellationToken);

    /// <summary>Reports an error to the user and returns the exit code.</summary>
    int Fail(string message, int exitCode = ExitCodes.Failure);
}
