using System.Net;
using System.Net.Sockets;
using Ssi.Api.V1Alpha1;

namespace Ssi.Api.Validation;

/// <summary>Semantic validation of an SsiCluster, shared by the operator and local mode.</summary>
public static class SsiClusterValidator
{
    /// <summary>Cluster names end up in namespace and certificate names; keep them short.</summary>
    public const int MaxClusterNameLength = 40;

    public const int MaxNodes = 64;

    private static readonly string[] LogLevels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    /// <summary>Validates a cluster. <paramref name="localMode"/> requires the node list and checks the local network.</summary>
    public static IReadOnlyList<FieldError> Validate(V1Alpha1SsiCluster cluster, bool localMode)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var errors = new List<FieldError>();

        if (cluster.ApiVersion != SsiApiGroup.ApiVersion)
        {
            errors.Add(new("apiVersion", $"must be \"{SsiApiGroup.ApiVersion}\", not \"{cluster.ApiVersion}\""));
        }

        if (cluster.Kind != V1Alpha1SsiCluster.KindName)
        {
            errors.Add(new("kind", $"must be \"{V1Alpha1SsiCluster.KindName}\", not \"{cluster.Kind}\""));
        }

        if (Dns1123.CheckLabel(cluster.Metadata?.Name, MaxClusterNameLength) is { } nameError)
        {
            errors.Add(new("metadata.name", nameError));
        }

        var spec = cluster.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "is required"));
            return errors;
        }

        ValidateNodes(spec, localMode, errors);
        ValidateAgent(spec.Agent, errors);
        ValidateFilesystem(spec, localMode, errors);
        if (localMode)
        {
            ValidateLocal(spec, errors);
        }

        return errors;
    }

    private static void ValidateNodes(SsiClusterSpec spec, bool localMode, List<FieldError> errors)
    {
        if (spec.Nodes is null || spec.Nodes.Count == 0)
        {
            if (localMode)
            {
                errors.Add(new("spec.nodes", "local mode needs at least one node"));
            }

            return;
        }

        if (spec.Nodes.Count > MaxNodes)
        {
            errors.Add(new("spec.nodes", $"has {spec.Nodes.Count} nodes, at most {MaxNodes} are supported"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Nodes.Count; i++)
        {
            var path = $"spec.nodes[{i}].name";
            var name = spec.Nodes[i]?.Name;
            if (Dns1123.CheckLabel(name) is { } error)
            {
                errors.Add(new(path, error));
            }
            else if (!seen.Add(name!))
            {
                errors.Add(new(path, $"\"{name}\" is listed more than once"));
            }

            ValidateDevices(spec.Nodes[i]?.Devices, $"spec.nodes[{i}].devices", errors);
        }
    }

    public const int MaxDevicePatterns = 64;

    private static void ValidateDevices(List<string>? devices, string path, List<FieldError> errors)
    {
        if (devices is null)
        {
            return;
        }

        if (devices.Count > MaxDevicePatterns)
        {
            errors.Add(new(path, $"lists {devices.Count} devices, at most {MaxDevicePatterns} are supported"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i] ?? "";
            var error = !device.StartsWith("/dev/", StringComparison.Ordinal) || device.Length == 5 ? $"\"{device}\" is not a path under /dev/"
                : device.Split('/').Any(part => part is ".." or ".") ? $"\"{device}\" must not contain . or .. components"
                : device.Contains("//", StringComparison.Ordinal) || device.EndsWith('/') ? $"\"{device}\" must name a device, not a directory"
                : device.Length > 255 ? "is longer than 255 characters"
                : !seen.Add(device) ? $"\"{device}\" is listed more than once"
                : null;
            if (error is not null)
            {
                errors.Add(new($"{path}[{i}]", error));
            }
        }
    }

    private static void ValidateAgent(SsiAgentSpec? agent, List<FieldError> errors)
    {
        if (agent is null)
        {
            return;
        }

        if (agent.Port is { } port && (port < 1 || port > 65533))
        {
            // The agents also listen on port + 1 (filesystem link) and port + 2 (bulk link).
            errors.Add(new("spec.agent.port", $"{port} is not a TCP port the agents can use (1-65533: they also take port + 1 and port + 2)"));
        }

        if (agent.LogLevel is { } level && !LogLevels.Contains(level))
        {
            errors.Add(new("spec.agent.logLevel", $"\"{level}\" is not one of Trace, Debug, Information, Warning, Error, Critical"));
        }
    }

    private static readonly string[] ReservedMountPaths = ["/", "/proc", "/sys", "/dev", "/run", "/etc", "/usr", "/bin", "/sbin", "/lib", "/var", "/tmp", "/boot", "/root", "/home"];

    private static void ValidateFilesystem(SsiClusterSpec spec, bool localMode, List<FieldError> errors)
    {
        var fs = spec.Filesystem;
        if (fs is null)
        {
            return;
        }

        var mode = fs.Mode ?? SsiFilesystemSpec.ModeCfs;
        if (mode is not (SsiFilesystemSpec.ModeCfs or SsiFilesystemSpec.ModePvc))
        {
            errors.Add(new("spec.filesystem.mode", $"\"{mode}\" is not one of cfs, pvc"));
        }
        else if (mode == SsiFilesystemSpec.ModePvc && localMode)
        {
            errors.Add(new("spec.filesystem.mode", "pvc needs Kubernetes; local mode supports cfs"));
        }
        else if (mode == SsiFilesystemSpec.ModePvc && string.IsNullOrEmpty(fs.ClaimName))
        {
            errors.Add(new("spec.filesystem.claimName", "is required in pvc mode"));
        }

        if (fs.MountPath is { } path && CheckAbsolutePath(path) is { } pathError)
        {
            errors.Add(new("spec.filesystem.mountPath", pathError));
        }
        else if (fs.MountPath is { } mountPath && ReservedMountPaths.Contains(mountPath.TrimEnd('/') is "" ? "/" : mountPath.TrimEnd('/')))
        {
            errors.Add(new("spec.filesystem.mountPath", $"{mountPath} is a system directory; use a path of its own such as {SsiFilesystemSpec.DefaultMountPath}"));
        }

        if (fs.HostPath is { } hostPath && CheckAbsolutePath(hostPath) is { } hostError)
        {
            errors.Add(new("spec.filesystem.hostPath", hostError));
        }

        if (fs.Home is { } home && spec.Nodes is { Count: > 0 } nodes && nodes.All(n => n?.Name != home))
        {
            errors.Add(new("spec.filesystem.home", $"\"{home}\" is not one of the nodes ({string.Join(", ", nodes.Select(n => n?.Name))})"));
        }
    }

    private static string? CheckAbsolutePath(string path) =>
        !path.StartsWith('/') ? $"\"{path}\" is not an absolute path"
        : path.Split('/').Any(part => part is ".." or ".") ? $"\"{path}\" must not contain . or .. components"
        : path.Length > 1024 ? "is longer than 1024 characters"
        : null;

    private static void ValidateLocal(SsiClusterSpec spec, List<FieldError> errors)
    {
        var subnet = spec.Local?.Subnet;
        if (subnet is null)
        {
            return;
        }

        if (!IPNetwork.TryParse(subnet, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            errors.Add(new("spec.local.subnet", $"\"{subnet}\" is not an IPv4 network in CIDR form such as {SsiLocalSpec.DefaultSubnet}"));
            return;
        }

        var nodes = spec.Nodes?.Count ?? 0;
        var usable = (1L << (32 - network.PrefixLength)) - 2;
        if (usable < nodes)
        {
            errors.Add(new("spec.local.subnet", $"{subnet} has room for {Math.Max(usable, 0)} nodes, the cluster lists {nodes}"));
        }

        if (subnet != network.ToString())
        {
            errors.Add(new("spec.local.subnet", $"\"{subnet}\" has host bits set; did you mean {network}?"));
        }
    }
}
