using System.CommandLine;
using Grpc.Core;
using Spectre.Console;
using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary><c>ssi run [--node N] -- PROGRAM ARGS</c>: OpenSSI's rexec.</summary>
internal static class RunCommand
{
    public static Command Build(CliContext context)
    {
        var cluster = ClusterOption.Create();
        var node = new Option<string?>("--node", "-n") { Description = "Node to run on (default: the first node)." };
        var tty = new Option<bool>("--tty", "-t") { Description = "Run on a terminal even when this one has none (size from LINES/COLUMNS, else 24x80)." };
        var noTty = new Option<bool>("--no-tty", "-T") { Description = "Use plain pipes even when this process has a terminal." };
        var env = new Option<string[]>("--env", "-e") { Description = "Extra environment variable NAME=value (repeatable)." };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory on the node (default /)." };
        var detach = new Option<bool>("--detach", "-d") { Description = "Start it and return: it keeps running on the node, output goes to a log file there." };
        var argv = new Argument<string[]>("command") { Description = "Program and arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("run", "Run a program on any node of the cluster, with this terminal or stdio; exits with its exit code.")
        {
            cluster, node, tty, noTty, env, workdir, detach, argv,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var connector = ClusterOption.Connect(context, parse, cluster);
                var target = parse.GetValue(node) ?? connector.Nodes[0];
                if (!connector.Nodes.Contains(target))
                {
                    return context.Fail($"the cluster has no node \"{target}\" (nodes: {string.Join(", ", connector.Nodes)})", ExitCodes.InvalidInput);
                }

                var session = new RunSession(connector.ChannelFor(target));
                if (parse.GetValue(detach))
                {
                    var started = await session.StartDetachedAsync(parse.GetValue(argv)!, parse.GetValue(env) ?? [], parse.GetValue(workdir), cancellationToken);
                    context.Console.WriteLine($"{started.ClusterPid} started on {started.Node} (output: {started.LogPath})");
                    return ExitCodes.Success;
                }

                return await session.RunAsync(
                    parse.GetValue(argv)!,
                    parse.GetValue(env) ?? [],
                    parse.GetValue(workdir),
                    parse.GetValue(noTty) ? false : parse.GetValue(tty) ? true : null,
                    cancellationToken);
            }
            catch (LocalClusterException e)
            {
                return context.Fail(e.Message);
            }
            catch (RpcException e)
            {
                return context.Fail(e.StatusCode == StatusCode.Unavailable ? $"node unreachable: {e.Status.Detail}" : e.Status.Detail);
            }
        });
        return command;
    }
}
