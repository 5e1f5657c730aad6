namespace Ssi.Cli.Local;

/// <summary>What local mode needs from the machine; a missing piece is named, never worked around.</summary>
internal static class LocalPrerequisites
{
    public static async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            throw new LocalClusterException("local mode needs root: it creates network and mount namespaces (run it with sudo)");
        }

        foreach (var program in new[] { "ip", "nsenter", "unshare", "mount", "umount", "setsid" })
        {
            if (FindOnPath(program) is null)
            {
                throw new LocalClusterException($"local mode needs `{program}` on PATH (Debian packages iproute2 and util-linux; run eng/install.sh)");
            }
        }

        var probe = await HostCommand.TryRunAsync("ip", ["netns", "list"], cancellationToken).ConfigureAwait(false);
        if (probe.ExitCode != 0)
        {
            throw new LocalClusterException($"`ip netns` does not work here: {probe.StandardError.Trim()}");
        }
    }

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static bool IsRoot()
    {
        try
        {
            return File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
