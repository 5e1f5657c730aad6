using System.Diagnostics;
using System.Globalization;

namespace Ssi.Agent.Migration.Planning;

/// <summary>
/// The node's sockets by inode, from <c>ss</c> (sock_diag): unix sockets with their peer's inode,
/// TCP and UDP sockets with state, local and peer address. Read in the agent's network namespace,
/// which is the node's.
/// </summary>
internal static class SocketTables
{
    public static IReadOnlyDictionary<ulong, SocketInfo> Read()
    {
        var result = new Dictionary<ulong, SocketInfo>();
        foreach (var socket in ParseUnix(Run("-xanH")).Concat(ParseInet(Run("-tuanHe"))))
        {
            result[socket.Inode] = socket;
        }

        return result;
    }

    /// <summary>Lines like <c>u_str ESTAB 0 0 * 1667 * 1668</c> (a bound socket shows its path instead of *).</summary>
    public static IEnumerable<SocketInfo> ParseUnix(string output)
    {
        foreach (var line in Lines(output))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 8 || !ulong.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            _ = ulong.TryParse(parts[7], NumberStyles.None, CultureInfo.InvariantCulture, out var peer);
            yield return new SocketInfo(inode, parts[0], parts[1], parts[4], peer);
        }
    }

    /// <summary>Lines like <c>tcp LISTEN 0 128 0.0.0.0:2024 0.0.0.0:* ino:1671 sk:3 ...</c>.</summary>
    public static IEnumerable<SocketInfo> ParseInet(string output)
    {
        foreach (var line in Lines(output))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ino = parts.FirstOrDefault(p => p.StartsWith("ino:", StringComparison.Ordinal));
            if (parts.Length < 6 || ino is null || !ulong.TryParse(ino.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var inode) || inode == 0)
            {
                continue;
            }

            yield return new SocketInfo(inode, parts[0], parts[1], parts[4], 0, parts[5]);
        }
    }

    private static IEnumerable<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Run(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ss", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("cannot start ss");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
