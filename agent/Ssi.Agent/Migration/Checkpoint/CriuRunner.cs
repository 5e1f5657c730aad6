using System.Globalization;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>Runs criu with given descriptors and reports failures with the end of its log.</summary>
internal sealed class CriuRunner(string criuPath)
{
    private const int O_RDWR = 2;

    /// <summary>
    /// Runs criu to its end; <paramref name="inherited"/> are installed as descriptors 3, 4, ... in order.
    /// A dump always runs to its end (criu killed mid-dump could leave its parasite in the tree);
    /// with <paramref name="killWhenCancelled"/> (a restore, whose tree is discarded anyway), a
    /// cancelled caller kills criu instead of waiting for it.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<string> arguments, string workingDirectory, string logName, IReadOnlyList<int> inherited, CancellationToken cancellationToken, bool killWhenCancelled = false)
    {
        var run = Start(arguments, workingDirectory, logName, inherited, statusFd: false);
        ExitStatus? status;
        try
        {
            status = await (killWhenCancelled ? run.Exited.WaitAsync(cancellationToken) : run.Exited).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            run.Kill();
            throw;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (status is not { Code: 0 })
        {
            throw run.Failure(status);
        }
    }

    /// <summary>
    /// Starts criu and returns at once. With <paramref name="statusFd"/>, criu gets <c>--status-fd</c>
    /// and <see cref="CriuProcess.Ready"/> completes when it is ready to serve (a page server, a
    /// lazy-pages daemon): it keeps running after that.
    /// </summary>
    public CriuProcess Start(IReadOnlyList<string> arguments, string workingDirectory, string logName, IReadOnlyList<int> inherited, bool statusFd)
    {
        if (!File.Exists(criuPath))
        {
            throw new MigrationException($"criu is not installed at {criuPath} (run eng/install.sh)");
        }

        var devNull = FileDescriptor.Open("/dev/null", O_RDWR);
        (int Read, int Write) status = (-1, -1);
        int pid;
        try
        {
            var descriptors = new List<(int, int)> { (devNull, 0), (devNull, 1), (devNull, 2) };
            descriptors.AddRange(inherited.Select((fd, i) => (fd, 3 + i)));
            var argv = new List<string> { criuPath };
            argv.AddRange(arguments);
            if (statusFd)
            {
                status = FileDescriptor.Pipe();
                var number = 3 + inherited.Count;
                descriptors.Add((status.Write, number));
                argv.AddRange(["--status-fd", number.ToString(CultureInfo.InvariantCulture)]);
            }

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
            FileDescriptor.Close(status.Write);
        }

        var exited = Task.Factory.StartNew(() => ChildProcess.Wait(pid)?.Status, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var ready = status.Read < 0
            ? Task.FromResult(true)
            : Task.Factory.StartNew(
                () =>
                {
                    // One byte when ready; end of file when criu exits first.
                    var buffer = new byte[1];
                    var n = FileDescriptor.Read(status.Read, buffer);
                    FileDescriptor.Close(status.Read);
                    return n == 1;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        return new CriuProcess(pid, arguments[0], Path.Combine(workingDirectory, logName), ready, exited);
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
