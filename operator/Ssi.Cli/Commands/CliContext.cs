using Spectre.Console;
using Ssi.Cli.Local;
using Ssi.Orchestration.CommandLine;

namespace Ssi.Cli.Commands;

/// <summary>What every command shares: the console and where local state lives.</summary>
internal sealed class CliContext(IAnsiConsole console, string localRoot)
{
    public const string LocalRootVariable = "SSI_LOCAL_ROOT";

    public IAnsiConsole Console { get; } = console;

    public string LocalRoot { get; } = localRoot;

    public static CliContext FromEnvironment()
    {
        var root = Environment.GetEnvironmentVariable(LocalRootVariable);
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            // Piped or captured output has no terminal width; do not wrap tables at 80 columns.
            console.Profile.Width = 200;
        }

        return new CliContext(console, string.IsNullOrEmpty(root) ? LocalClusterLayout.DefaultRoot : root);
    }

    /// <summary>
    /// Machine-readable output (JSON) straight to stdout: the rich console wraps long lines at its
    /// width, which would break strings apart.
    /// </summary>
    public static void WriteRaw(string text) => RawOutput.WriteLine(text);

    public int Fail(string message, int exitCode = ExitCodes.Failure)
    {
        Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return exitCode;
    }
}
