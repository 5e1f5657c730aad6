using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using Spectre.Console;
using Ssi.Api.V1Alpha1;
using Ssi.Cli.Local;
using Ssi.Orchestration.CommandLine;
using Ssi.Orchestration.Manifests;
using Ssi.Orchestration.Migration;

namespace Ssi.Cli.Commands;

/// <summary><c>ssi migrate</c> and <c>ssi apply -f</c>: live migration of a workload to another node.</summary>
internal static class MigrationCommands
{
    public static IEnumerable<Command> Build(CliContext context) => [Migrate(context), Apply(context)];

    private static Command Migrate(CliContext context)
    {
        var cluster = ClusterOption.Create();
        var cpid = new Argument<long>("cpid") { Description = "Cluster PID of any process of the workload (see ssi ps); its whole tree moves." };
        var to = new Option<string>("--to") { Description = "Node to move to.", Required = true };
        var mode = new Option<string>("--mode") { Description = "stop-copy, lazy or auto (default).", DefaultValueFactory = _ => ProcessMigrationSpec.ModeAuto };
        mode.AcceptOnlyFromAmong(ProcessMigrationSpec.ModeStopCopy, ProcessMigrationSpec.ModeLazy, ProcessMigrationSpec.ModeAuto);
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print the plan: what happens to every descriptor. Nothing is frozen." };
        var landing = new Option<string?>("--landing")
        {
            Description = "Container id of a container running on the target node to land in (its namespaces, cgroups, root file system and mounts): for a process in a container, as the landing pod the operator makes on Kubernetes.",
        };
        var output = Output();
        var command = new Command("migrate", "Move a running workload to another node; every descriptor keeps working.") { cpid, to, mode, dryRun, landing, cluster, output };
        command.SetAction((parse, cancellationToken) => RunAsync(
            context,
            parse.GetValue(cluster),
            new MigrationRequest(parse.GetValue(cpid), parse.GetValue(to)!, parse.GetValue(mode)!, parse.GetValue(dryRun), NewAttemptId()),
            parse.GetValue(output) == "json",
            cancellationToken,
            landing: parse.GetValue(landing) is { Length: > 0 } id ? new ContainerLanding(id) : null));
        return command;
    }

    private static Command Apply(CliContext context)
    {
        var file = new Option<string>("--filename", "-f") { Description = "YAML file with ProcessMigration objects (the kind the operator reads).", Required = true };
        var output = Output();
        var command = new Command("apply", "Carry out the ProcessMigration objects of a file on a local cluster (spec.cluster names it).") { file, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<V1Alpha1ProcessMigration> migrations;
            try
            {
                migrations = ProcessMigrationManifest.Load(parse.GetValue(file)!);
            }
            catch (ManifestException e)
            {
                return context.Fail(string.Join(Environment.NewLine, e.Errors.Select(x => x.ToString())), ExitCodes.InvalidInput);
            }
            catch (IOException e)
            {
                return context.Fail(e.Message, ExitCodes.InvalidInput);
            }

            var code = ExitCodes.Success;
            foreach (var migration in migrations)
            {
                var spec = migration.Spec;
                var request = new MigrationRequest(spec.ClusterPid, spec.TargetNode, spec.Mode ?? ProcessMigrationSpec.ModeAuto, spec.DryRun ?? false, NewAttemptId());
                var result = await RunAsync(context, spec.Cluster, request, parse.GetValue(output) == "json", cancellationToken, migration.Metadata.Name);
                code = Math.Max(code, result);
            }

            return code;
        });
        return command;
    }

    private static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "text or json (the ProcessMigration status).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    private static string NewAttemptId() => $"m{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    private static async Task<int> RunAsync(CliContext context, string? clusterName, MigrationRequest request, bool json, CancellationToken cancellationToken, string? name = null, ILandingAdapter? landing = null)
    {
        MigrationOutcome outcome;
        try
        {
            var (layout, _) = LocalClusterResolver.Resolve(context.LocalRoot, clusterName);
            using var connector = LocalAgentConnector.ForCli(layout);
            if (!json)
            {
                context.Console.MarkupLineInterpolated($"Migrating {request.ClusterPid} to {request.TargetNode}{(name is null ? "" : $" ({name})")}{(request.DryRun ? " (dry run)" : "")}");
            }

            var coordinator = new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System, landing);
            outcome = await coordinator.RunAsync(request, new ConsoleMigrationObserver(context.Console, json), cancellationToken);
        }
        catch (LocalClusterException e)
        {
            return context.Fail(e.Message);
        }
        catch (MigrationRejectedException e)
        {
            return context.Fail(e.Message, ExitCodes.InvalidInput);
        }
        catch (RpcException e)
        {
            return context.Fail($"migration failed: {e.Status.Detail} ({e.StatusCode})");
        }
        catch (OperationCanceledException)
        {
            return context.Fail("interrupted before anything was frozen: the process runs where it was", ExitCodes.Interrupted);
        }

        if (json)
        {
            CliContext.WriteRaw(JsonSerializer.Serialize(ToStatus(outcome), CliJsonContext.Default.ProcessMigrationStatus));
        }
        else
        {
            Summarize(context.Console, outcome);
        }

        return outcome.Phase is MigrationPhases.Succeeded or MigrationPhases.Planned ? ExitCodes.Success : ExitCodes.Failure;
    }

    public static ProcessMigrationStatus ToStatus(MigrationOutcome outcome) => new()
    {
        Phase = outcome.Phase,
        SourceNode = outcome.SourceNode,
        TargetNode = outcome.TargetNode,
        Mode = outcome.Mode,
        FreezeMs = outcome.FreezeMs,
        BytesTransferred = outcome.BytesTransferred,
        Message = outcome.Message,
        Plan = outcome.Plan.ToList(),
    };

    private static void Summarize(IAnsiConsole console, MigrationOutcome outcome)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "CPID", "FD", "KIND", "ACTION", "TARGET", "WHY" })
        {
            table.AddColumn(column);
        }

        foreach (var fd in outcome.Plan)
        {
            var action = fd.Action == "blocked" ? $"[red]{fd.Action}[/]" : Markup.Escape(fd.Action);
            var holder = fd.ClusterPid == 0 ? "shim" : fd.ClusterPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            table.AddRow(holder, fd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(fd.Kind), action, Markup.Escape(fd.Target ?? ""), Markup.Escape(fd.Reason ?? ""));
        }

        console.Write(table);
        var color = outcome.Phase is MigrationPhases.Succeeded or MigrationPhases.Planned ? "green" : "red";
        console.MarkupLine($"[{color}]{Markup.Escape(outcome.Phase)}[/]: {Markup.Escape(outcome.Message ?? "")}");
        if (outcome.StepMs.Count > 0)
        {
            console.MarkupLineInterpolated($"[grey]steps: {string.Join(", ", outcome.StepMs.Select(s => $"{s.Key} {s.Value} ms"))}; memory {outcome.MemoryBytes / 1024} KiB[/]");
        }
    }
}
