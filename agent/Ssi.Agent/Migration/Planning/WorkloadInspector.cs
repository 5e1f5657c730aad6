using System.Globalization;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Migration.Planning;

/// <summary>Reads a workload's process tree and every descriptor of it from /proc.</summary>
internal static class WorkloadInspector
{
    public static IReadOnlyList<OpenDescriptor> Descriptors(IEnumerable<int> pids)
    {
        var result = new List<OpenDescriptor>();
        foreach (var pid in pids)
        {
            var nsPid = ProcFiles.NamespacePid(pid);
            string[] entries;
            try
            {
                entries = Directory.GetFiles($"/proc/{pid}/fd");
            }
            catch (IOException)
            {
                continue; // gone
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                    || Read(pid, nsPid, fd) is not { } descriptor)
                {
                    continue;
                }

                result.Add(descriptor);
            }
        }

        return result.OrderBy(d => d.NamespacePid).ThenBy(d => d.Fd).ToList();
    }

    private static OpenDescriptor? Read(int pid, int nsPid, int fd)
    {
        string link;
        string[] info;
        try
        {
            link = new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? "";
            info = File.ReadAllLines($"/proc/{pid}/fdinfo/{fd}");
        }
        catch (IOException)
        {
            return null;
        }

        var flags = Convert.ToInt32(Field(info, "flags:") ?? "0", 8);
        var position = long.Parse(Field(info, "pos:") ?? "0", CultureInfo.InvariantCulture);
        var mountId = int.Parse(Field(info, "mnt_id:") ?? "0", CultureInfo.InvariantCulture);
        if (Native.FileStatus.Of($"/proc/{pid}/fd/{fd}") is not { } status)
        {
            return null;
        }

        return new OpenDescriptor(pid, nsPid, fd, link, flags, position, status.Mode, status.Rdev, status.Dev, status.Inode, mountId);
    }

    private static string? Field(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
}
