using System.Diagnostics;
using Xunit;

namespace Ssi.Testing;

/// <summary>
/// What a local cluster can leave on the machine: network namespaces, host links, mounts and
/// processes. Entries are filtered by a marker (the cluster's name) so that tests running side
/// by side do not see each other; host links are compared whole, since local mode makes none.
/// </summary>
public sealed record HostSnapshot(
    IReadOnlyList<string> NetworkNamespaces,
    IReadOnlyList<string> HostLinks,
    IReadOnlyList<string> Mounts,
    IReadOnlyList<string> Processes)
{
    public static HostSnapshot Take(string marker)
    {
        bool Mine(string s) => s.Contains(marker, StringComparison.Ordinal);
        return new HostSnapshot(
            Run("ip", "netns", "list").Where(Mine).Order().ToList(),
            Run("ip", "-o", "link", "show").Select(l => string.Join(' ', l.Split(' ').Take(2))).Order().ToList(),
            File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(Mine).Order().ToList(),
            ProcessCommandLines().Where(Mine).Order().ToList());
    }

    public void AssertSameAs(HostSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        Assert.Equal(before.NetworkNamespaces, NetworkNamespaces);
        Assert.Equal(before.HostLinks, HostLinks);
        Assert.Equal(before.Mounts, Mounts);
        Assert.Equal(before.Processes, Processes);
    }

    private static IEnumerable<string> ProcessCommandLines()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (cmdline.Length > 0 && !cmdline.Contains("dotnet test", StringComparison.Ordinal) && !cmdline.Contains("testhost", StringComparison.Ordinal))
            {
                yield return $"{pid} {cmdline}";
            }
        }
    }

    private static IReadOnlyList<string> Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
