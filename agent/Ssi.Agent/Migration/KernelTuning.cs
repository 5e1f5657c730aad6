using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Migration;

/// <summary>Kernel settings migration depends on.</summary>
internal static class KernelTuning
{
    private const string PipeMaxSize = "/proc/sys/fs/pipe-max-size";
    private const int NeededPipeSize = 4 * 1024 * 1024;

    /// <summary>
    /// criu's page server splices pages through pipes it enlarges; without CAP_SYS_RESOURCE it may
    /// not exceed fs.pipe-max-size, and a transfer that fails there loses the process.
    /// </summary>
    public static void EnsurePipeMaxSize(ILogger logger)
    {
        try
        {
            var current = int.Parse(File.ReadAllText(PipeMaxSize).Trim(), CultureInfo.InvariantCulture);
            if (current < NeededPipeSize)
            {
                File.WriteAllText(PipeMaxSize, NeededPipeSize.ToString(CultureInfo.InvariantCulture));
                MigrationLog.Tuned(logger, "fs.pipe-max-size", current, NeededPipeSize);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new MigrationException($"lazy migration needs fs.pipe-max-size >= {NeededPipeSize}: {e.Message}");
        }
    }
}
