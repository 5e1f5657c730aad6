using System.CommandLine;
using Spectre.Console;
using Ssi.Kubectl.Commands;
using Ssi.Orchestration.CommandLine;

// kubectl-ssi: the SSI Operator's kubectl plugin. migrate/plan/status work through the API server (the
// operator does the work); ps/kill/run find the agents through it and talk to them over mTLS.
var kube = new KubeOptions();
var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    // Piped or captured output has no terminal width; do not wrap tables at 80 columns.
    console.Profile.Width = 200;
}

var root = new RootCommand("kubectl ssi: SSI clusters, their processes and process migrations (SSI Operator).");
foreach (var command in MigrateCommands.Build(kube))
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(StatusCommand.Build(kube));
foreach (var command in ProcessCommands.Build(new KubectlProcessCommandHost(kube, console)))
{
    root.Subcommands.Add(command);
}

if (args.Length > 0 && args[0] == "kill")
{
    args = ["kill", .. KillSyntax.Rewrite(args[1..])];
}

return await root.Parse(args).InvokeAsync();
