using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ssi.Agent.Node;

/// <summary>Finds out which CRIU the agent would run.</summary>
internal static partial class CriuProbe
{
    /// <summary>The minimum CRIU version that works on current kernels (dumps TCP sockets on Linux 6.16+).</summary>
    public static readonly Version Minimum = new(4, 2);

    [GeneratedRegex(@"^Version:\s*(\d+(?:\.\d+){1,3})", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex VersionLine();

    /// <summary>Parses the output of <c>criu --version</c>.</summary>
    public static Version? ParseVersion(string output)
    {
        var match = VersionLine().Match(output ?? "");
        return match.Success && Version.TryParse(match.Groups[1].Value, out var v) ? v : null;
    }

    public static async Task<NodeCapability> ProbeAsync(string criuPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(criuPath))
        {
            return NodeCapability.Missing($"CRIU is not installed at {criuPath} (run eng/install.sh).");
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(criuPath, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var version = ParseVersion(output);
            if (version is null)
            {
                return NodeCapability.Missing($"{criuPath} --version printed no version.");
            }

            return version < Minimum
                ? new NodeCapability(false, version.ToString(), $"CRIU {version} is older than {Minimum}, which this kernel needs.")
                : new NodeCapability(true, version.ToString(), "");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return NodeCapability.Missing($"{criuPath} cannot run: {e.Message}");
        }
    }
}
