using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>Runs criu with given descriptors and reports failures with the end of its log.</summary>
internal sealed class CriuRunner(string criuPath)
{
    private const int O_RDWR = 2;

    /// <summary>Runs criu; <paramref name="inherited"/> are installed as descriptors 3, 4, ... in order.</summary>
    public async Task RunAsync(IReadOnlyList<string> arguments, string workingDirectory, string logName, IReadOnlyList<int> inherited, CancellationToken cancellationToken)
    {
        if (!File.Exists(criuPath))
        {
            throw new MigrationException($"criu is not installed at {criuPath} (run eng/install.sh)");
        }

        var devNull = FileDescriptor.Open("/dev/null", O_RDWR);
        int pid;
        try
        {
            var descriptors = new List<(int, int)> { (devNull, 0), (devNull, 1), (devNull, 2) };
            descriptors.AddRange(inherited.Select((fd, i) => (fd, 3 + i)));
            var argv = new List<string> { criuPath };
            argv.AddRange(arguments);
            pid = Spawner.Start(new SpawnOptions(argv)
            {
                Descriptors = descriptors,
                WorkingDirectory = workingDirectory,
                Environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            });
        }
        finally
        {
            FileDescriptor.Close(devNull);
        }

        var status = await Task.Factory.StartNew(
            () => ChildProcess.Wait(pid)?.Status,
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (status is not { Code: 0 })
        {
            throw new MigrationException($"criu {arguments[0]} failed (exit {status?.Code}): {LogTail(Path.Combine(workingDirectory, logName))}");
        }
    }

    /// <summary>The error lines of a criu log (or its last lines), for a message a user can act on.</summary>
    public static string LogTail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            var errors = lines.Where(l => l.Contains("Error", StringComparison.Ordinal) && !l.Contains("RLIMIT_NOFILE", StringComparison.Ordinal)).TakeLast(4).ToList();
            return string.Join(" | ", errors.Count > 0 ? errors : lines.TakeLast(3)).Trim();
        }
        catch (IOException)
        {
            return $"(no log at {path})";
        }
    }
}
