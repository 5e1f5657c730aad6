using System.Collections.Concurrent;
using System.IO.Enumeration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Devices;

/// <summary>
/// The devices this node exports: the allowlist's paths and globs resolved against /dev now (a
/// device that appears later is found at the next lookup). Only character devices reached without
/// a symbolic link are exported; a name not on the list cannot be opened from another node.
/// </summary>
internal sealed class DeviceExportTable(IOptionsMonitor<DevicesOptions> options, ILogger<DeviceExportTable> logger)
{
    private const uint S_IFMT = 0xF000;
    private const uint S_IFCHR = 0x2000;
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    /// <summary>The allowlist as it is now (the cluster topology file may change it).</summary>
    public IReadOnlyList<string> Patterns => options.CurrentValue.Exports.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();

    /// <summary>Every exported device, by name (the first pattern to claim a name keeps it).</summary>
    public IReadOnlyList<DeviceExport> Resolve()
    {
        var found = new Dictionary<string, DeviceExport>(StringComparer.Ordinal);
        foreach (var pattern in Patterns)
        {
            foreach (var path in Expand(pattern))
            {
                if (Describe(path) is not { } export)
                {
                    if ((File.Exists(path) || Directory.Exists(path)) && _warned.TryAdd(path, true))
                    {
                        DeviceLog.NotCharacterDevice(logger, pattern, path);
                    }

                    continue;
                }

                found.TryAdd(export.Name, export);
            }
        }

        return found.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The export called <paramref name="name"/>, or null when nothing on the allowlist has that name.</summary>
    public DeviceExport? Find(string name) => Resolve().FirstOrDefault(e => e.Name == name);

    /// <summary>The name a device path gets on other nodes: its path below /dev with / turned into -.</summary>
    public static string NameOf(string path)
    {
        var relative = path.StartsWith("/dev/", StringComparison.Ordinal) ? path[5..] : path.TrimStart('/');
        return relative.Replace('/', '-');
    }

    /// <summary>A character device at <paramref name="path"/> (not through a symbolic link), or null.</summary>
    public static DeviceExport? Describe(string path)
    {
        if (!path.StartsWith("/dev/", StringComparison.Ordinal) || path.Split('/').Any(p => p is "." or ".."))
        {
            return null;
        }

        if (Posix.StatAt(Posix.AT_FDCWD, Posix.Z(path), out var stat) != 0 || (stat.Mode & S_IFMT) != S_IFCHR)
        {
            return null;
        }

        return new DeviceExport(NameOf(path), path, stat.RdevMajor, stat.RdevMinor, stat.Mode, stat.Uid, stat.Gid);
    }

    /// <summary>The paths a pattern names: itself, or with * and ? in any component matched against the directory.</summary>
    public static IEnumerable<string> Expand(string pattern)
    {
        if (!pattern.StartsWith('/'))
        {
            return [];
        }

        IEnumerable<string> paths = ["/"];
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part is "." or "..")
            {
                return [];
            }

            paths = part.AsSpan().IndexOfAny('*', '?') < 0
                ? paths.Select(p => Path.Combine(p, part))
                : paths.SelectMany(p => Matches(p, part)).ToList();
        }

        return paths.Where(p => p != "/").ToList();
    }

    private static IEnumerable<string> Matches(string directory, string part)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory)
                .Where(e => FileSystemName.MatchesSimpleExpression(part, Path.GetFileName(e), ignoreCase: false))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
