using System.CommandLine;
using Ssi.Cli.Commands;
using Ssi.Cli.Local;
using Ssi.Orchestration.CommandLine;

SystemTrustStore.Skip();
var context = CliContext.FromEnvironment();
var root = new RootCommand("ssi: one system image over many nodes (SSI Operator).");
root.Subcommands.Add(LocalCommands.Build(context));
root.Subcommands.Add(DeviceCommands.Build(context));
foreach (var command in ProcessCommands.Build(new LocalProcessCommandHost(context)))
{
    root.Subcommands.Add(command);
}

foreach (var command in MigrationCommands.Build(context))
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(VersionCommand.Build(context));
if (args.Length > 0 && args[0] == "kill")
{
    args = ["kill", .. KillSyntax.Rewrite(args[1..])];
}

// ^C cancels the command; a migration then rolls back (or, past its point of no return, finishes),
// which takes longer than System.CommandLine's default 2 s before it ends the process.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
