using System.CommandLine;
using Ssi.Cli.Commands;

var context = CliContext.FromEnvironment();
var root = new RootCommand("ssi: one system image over many nodes (SSI Operator).");
root.Subcommands.Add(LocalCommands.Build(context));
root.Subcommands.Add(VersionCommand.Build(context));
return await root.Parse(args).InvokeAsync();
