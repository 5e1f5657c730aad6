using Ssi.Api.V1Alpha1;

namespace Ssi.Api.Validation;

/// <summary>Semantic validation of a ProcessMigration, shared by the operator and local mode.</summary>
public static class ProcessMigrationValidator
{
    private static readonly string[] Modes = [ProcessMigrationSpec.ModeStopCopy, ProcessMigrationSpec.ModeLazy, ProcessMigrationSpec.ModeAuto];

    public static IReadOnlyList<FieldError> Validate(V1Alpha1ProcessMigration migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        var errors = new List<FieldError>();
        if (migration.ApiVersion != SsiApiGroup.ApiVersion)
        {
            errors.Add(new("apiVersion", $"must be \"{SsiApiGroup.ApiVersion}\", not \"{migration.ApiVersion}\""));
        }

        if (Dns1123.CheckLabel(migration.Metadata?.Name, 63) is { } nameError)
        {
            errors.Add(new("metadata.name", nameError));
        }

        var spec = migration.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "is required"));
            return errors;
        }

        if (Dns1123.CheckLabel(spec.Cluster, SsiClusterValidator.MaxClusterNameLength) is { } clusterError)
        {
            errors.Add(new("spec.cluster", clusterError));
        }

        if (spec.ClusterPid <= 0)
        {
            errors.Add(new("spec.clusterPid", "must be a cluster PID (a positive number, as `ssi ps` shows it)"));
        }

        if (Dns1123.CheckLabel(spec.TargetNode) is { } nodeError)
        {
            errors.Add(new("spec.targetNode", nodeError));
        }

        if (spec.Mode is { } mode && !Modes.Contains(mode, StringComparer.Ordinal))
        {
            errors.Add(new("spec.mode", $"must be one of {string.Join(", ", Modes)}, not \"{mode}\""));
        }

        return errors;
    }
}
