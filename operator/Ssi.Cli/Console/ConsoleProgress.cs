using Spectre.Console;
using Ssi.Cli.Local;

namespace Ssi.Cli.Console;

/// <summary>Prints each step as it completes (synchronously, unlike Progress&lt;T&gt;).</summary>
internal sealed class ConsoleProgress(IAnsiConsole console) : IProgress<LocalProgress>
{
    public void Report(LocalProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mark = value.Failed ? "[red]✗[/]" : "[green]✓[/]";
        console.MarkupLine($"  {mark} {Markup.Escape(value.Message)}");
    }
}
