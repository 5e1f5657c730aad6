namespace Ssi.Testing;

/// <summary>
/// Guards for tests that need the real machine. A missing prerequisite FAILS the test with its
/// name and how to get it; nothing is skipped silently.
/// </summary>
public static class Prerequisites
{
    public const string CriuPath = "/opt/ssi-operator/criu/sbin/criu";

    /// <summary>Where eng/install.sh puts the real helm 4 and kubectl 1.35.</summary>
    public const string ToolsDirectory = "/opt/ssi-operator/tools/bin";

    /// <summary>The path of helm or kubectl as installed by eng/install.sh.</summary>
    public static string RequireTool(string program)
    {
        var path = Path.Combine(ToolsDirectory, program);
        if (!File.Exists(path))
        {
            throw new PrerequisiteMissingException($"`{program}` at {path} (run eng/install.sh)");
        }

        return path;
    }

    public static void RequireRoot()
    {
        if (!IsRoot())
        {
            throw new PrerequisiteMissingException("root (this test creates namespaces and mounts; run the tests as root, e.g. via eng/test.sh)");
        }
    }

    public static void RequireCommand(string program, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            throw new PrerequisiteMissingException($"`{program}` on PATH (Debian package {package}; run eng/install.sh)");
        }
    }

    public static void RequireNetworkNamespaces()
    {
        RequireRoot();
        RequireCommand("ip", "iproute2");
        RequireCommand("nsenter", "util-linux");
        RequireCommand("unshare", "util-linux");
    }

    public static void RequireFuse()
    {
        if (!File.Exists("/dev/fuse"))
        {
            throw new PrerequisiteMissingException("/dev/fuse (the fuse kernel module)");
        }
    }

    public static void RequireCriu()
    {
        if (!File.Exists(CriuPath))
        {
            throw new PrerequisiteMissingException($"CRIU 4.2.1 at {CriuPath} (run eng/install.sh)");
        }
    }

    public static bool IsRoot()
    {
        try
        {
            return File.ReadLines("/proc/self/status")
                .Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
