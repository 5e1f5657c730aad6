using System.Diagnostics;
using System.Globalization;

namespace Ssi.Cli.Local;

/// <summary>Starts a node's agent inside the node's network and mount namespaces, detached from the CLI.</summary>
internal static class AgentLauncher
{
    public const string AgentPathVariable = "SSI_AGENT_PATH";
    public const string ShimPathVariable = "SSI_SHIM_PATH";

    /// <summary>
    /// The agent program: $SSI_AGENT_PATH, else the newer of the build's ssi-agent and
    /// artifacts/agent/ssi-agent (the ReadyToRun publish of eng/install.sh, which spares a node's
    /// first migration its JIT work): newer by its assembly, so that a rebuild after the publish is
    /// what runs. The build's is the copy next to the CLI (the JIT build, or an image), or the
    /// Release build in artifacts/bin for the NativeAOT CLI, which eng/install.sh publishes alone
    /// to artifacts/cli.
    /// </summary>
    public static string FindAgent()
    {
        var configured = Environment.GetEnvironmentVariable(AgentPathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"the agent program {configured} does not exist (build the solution, or set {AgentPathVariable})", configured);
        }

        var nextToCli = Path.Combine(AppContext.BaseDirectory, "ssi-agent");
        var artifacts = ArtifactsDirectory();
        string[] candidates = artifacts is null
            ? [nextToCli]
            : [File.Exists(nextToCli) ? nextToCli : Path.Combine(artifacts, "bin", "Ssi.Agent", "release", "ssi-agent"), Path.Combine(artifacts, "agent", "ssi-agent")];
        return candidates.Where(p => File.Exists(p) && File.Exists(p + ".dll")).OrderByDescending(BuiltAt).FirstOrDefault()
            ?? throw new FileNotFoundException($"the agent program is not at {string.Join(" or ", candidates)} (build the solution, or set {AgentPathVariable})", candidates[0]);
    }

    private static DateTime BuiltAt(string program) => File.GetLastWriteTimeUtc(program + ".dll");

    /// <summary>The repository's artifacts/ directory when the CLI runs from it (artifacts/bin/Ssi.Cli/CONFIG or artifacts/cli), else null.</summary>
    private static string? ArtifactsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (directory.Name == "artifacts")
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>
    /// The workload init: $SSI_SHIM_PATH, else the NativeAOT build next to the CLI (an image) or in
    /// artifacts/shim (the repository, published by eng/install.sh).
    /// </summary>
    public static string FindShim()
    {
        var configured = Environment.GetEnvironmentVariable(ShimPathVariable);
        var artifacts = ArtifactsDirectory();
        string[] candidates = !string.IsNullOrEmpty(configured) ? [configured]
            : artifacts is null ? [Path.Combine(AppContext.BaseDirectory, "ssi-shim")]
            : [Path.Combine(AppContext.BaseDirectory, "ssi-shim"), Path.Combine(artifacts, "shim", "ssi-shim")];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"the workload init ssi-shim is not at {string.Join(" or ", candidates)} (run eng/install.sh, or set {ShimPathVariable})");
    }

    public static LocalProcessRecord Start(LocalClusterLayout layout, LocalNodeLayout node, string agentPath, string shimPath)
    {
        // sh only redirects stdio to the node's log and execs; setsid and nsenter exec in turn,
        // so the PID we get is the agent's own.
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in new[]
        {
            "-c", "exec \"$@\" >>\"$0\" 2>&1 </dev/null", node.LogFile,
            "setsid", "nsenter", $"--net={node.NetworkNamespacePath}", $"--mount={node.MountNamespaceFile}", "--",
            agentPath,
            $"--Agent:Cluster={layout.Cluster}",
            $"--Agent:Node={node.Name}",
            $"--Agent:TopologyFile={layout.TopologyFile}",
            "--Agent:ListenAddress=0.0.0.0",
            $"--Agent:Port={layout.AgentPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Agent:AdvertisedEndpoint={node.Address}:{layout.AgentPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Agent:CredentialsDirectory={node.CredentialsDirectory}",
            $"--Agent:StateDirectory={node.AgentStateDirectory}",
            $"--Agent:ShimPath={shimPath}",
            // Every node's /run is the host's here: the shims' report socket gets a tmpfs of the node's own.
            "--Agent:PrivateShimReportDirectory=true",
            $"--Agent:InitialNetworkNamespace={layout.HostNetworkNamespaceFile}",
            $"--Agent:PodCgroupRoot={node.PodCgroupRoot}",
            "--Filesystem:Enabled=true",
            $"--Filesystem:MountPath={layout.Filesystem.MountPath}",
            $"--Filesystem:HomeNode={layout.Filesystem.HomeNode}",
            $"--Filesystem:HomeEndpoint={layout.Node(layout.Filesystem.HomeNode).Address}:{layout.AgentPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Filesystem:BackingDirectory={layout.Filesystem.BackingDirectory}",
            $"--Logging:LogLevel:Default={layout.LogLevel}",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_TieredPGO"] = "1";
        info.Environment["DOTNET_TC_QuickJitForLoops"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("the agent did not start");
        var startTime = ProcessIdentity.StartTime(process.Id) ?? 0;
        return new LocalProcessRecord("agent", node.Name, process.Id, startTime);
    }
}
