using System.CommandLine;
using Ssi.Kubectl.Commands;

// kubectl-ssi: the SSI Operator's kubectl plugin. Works through the API server only: the operator does the work.
var kube = new KubeOptions();
var root = new RootCommand("kubectl ssi: SSI clusters and process migrations through the Kubernetes API (SSI Operator).");
foreach (var command in MigrateCommands.Build(kube))
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(StatusCommand.Build(kube));
return await root.Parse(args).InvokeAsync();
