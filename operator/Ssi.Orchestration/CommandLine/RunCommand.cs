using System.CommandLine;
using Grpc.Core;
using Spectre.Console;

namespace Ssi.Orchestration.CommandLine;

/// <summary><c>run [--node N] -- PROGRAM ARGS</c>: OpenSSI's rexec.</summary>
public static class RunCommand
{
    public static Command Build(IProcessCommandHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var node = host.NodeShortAlias is { } alias
            ? new Option<string?>("--node", alias) { Description = "Node to run on (default: the first node)." }
            : new Option<string?>("--node") { Description = "Node to run on (default: the first node)." };
        var tty = new Option<bool>("--tty", "-t") { Description = "Run on a terminal even when this one has none (size from LINES/COLUMNS, else 24x80)." };
        var noTty = new Option<bool>("--no-tty", "-T") { Description = "Use plain pipes even when this process has a terminal." };
        var env = new Option<string[]>("--env", "-e") { Description = "Extra environment variable NAME=value (repeatable)." };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory on the node (default /)." };
        var detach = new Option<bool>("--detach", "-d") { Description = "Start it and return: it keeps running on the node, output goes to a log file there." };
        var argv = new Argument<string[]>("command") { Description = "Program and arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("run", "Run a program on any node of the cluster, with this terminal or stdio; exits with its exit code.")
        {
            node, tty, noTty, env, workdir, detach, argv,
        };
        host.AddClusterOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var connector = await host.ConnectAsync(parse, cancellationToken).ConfigureAwait(false);
                using (connector as IDisposable)
                {
                    var target = parse.GetValue(node) ?? connector.Nodes[0];
                    if (!connector.Nodes.Contains(target))
                    {
                        return host.Fail($"the cluster has no node \"{target}\" (nodes: {string.Join(", ", connector.Nodes)})", ExitCodes.InvalidInput);
                    }

                    var session = new RunSession(connector.ChannelFor(target));
                    if (parse.GetValue(detach))
                    {
                        var started = await session.StartDetachedAsync(parse.GetValue(argv)!, parse.GetValue(env) ?? [], parse.GetValue(workdir), cancellationToken).ConfigureAwait(false);
                        host.Console.WriteLine($"{started.ClusterPid} started on {started.Node} (output: {started.LogPath})");
                        return ExitCodes.Success;
                    }

                    return await session.RunAsync(
                        parse.GetValue(argv)!,
                        parse.GetValue(env) ?? [],
                        parse.GetValue(workdir),
                        parse.GetValue(noTty) ? false : parse.GetValue(tty) ? true : null,
                        cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ClusterConnectionException e)
            {
                return host.Fail(e.Message);
            }
            catch (RpcException e)
            {
                return host.Fail(e.StatusCode == StatusCode.Unavailable ? $"node unreachable: {e.Status.Detail}" : e.Status.Detail);
            }
        });
        return command;
    }
}
