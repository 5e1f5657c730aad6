using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using Ssi.Orchestration.CommandLine;

namespace Ssi.Cli.Commands;

internal static class VersionCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("version", "Print the version of ssi.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
            context.Console.WriteLine($"ssi {version}");
            return ExitCodes.Success;
        });
        return command;
    }
}
