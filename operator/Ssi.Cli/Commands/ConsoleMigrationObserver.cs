using System.Diagnostics;
using Spectre.Console;
using Ssi.Orchestration.Migration;

namespace Ssi.Cli.Commands;

/// <summary>Prints each phase of a migration as it starts, with the time since the start.</summary>
internal sealed class ConsoleMigrationObserver(IAnsiConsole console, bool quiet) : IMigrationObserver
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private string? _last;

    public Task OnPhaseAsync(MigrationOutcome outcome, CancellationToken cancellationToken)
    {
        if (!quiet && outcome.Phase != _last)
        {
            _last = outcome.Phase;
            var where = outcome.SourceNode is null ? "" : $" {outcome.SourceNode} -> {outcome.TargetNode}";
            console.MarkupLineInterpolated($"  [grey]{_watch.Elapsed.TotalSeconds,6:0.000}s[/] {outcome.Phase}{where}");
        }

        return Task.CompletedTask;
    }
}
