using System.Diagnostics;
using System.Globalization;

namespace Ssi.Benchmarks.Operator;

/// <summary>The operator host running as a child of the bench (<see cref="OperatorBenchHost"/>), so that its memory is its own.</summary>
internal sealed class OperatorChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OperatorChildProcess(Process process)
    {
        _process = process;
    }

    public static async Task<OperatorChildProcess> StartAsync(Uri apiServer)
    {
        // This bench again: its apphost when there is one, else the dll through dotnet.
        var self = Environment.ProcessPath!;
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { typeof(OperatorChildProcess).Assembly.Location } }
            : new ProcessStartInfo(self);
        start.ArgumentList.Add(OperatorBenchHost.Command);
        start.ArgumentList.Add(apiServer.ToString().TrimEnd('/'));
        foreach (var (name, value) in Ssi.Operator.Hosting.OperatorRuntimeSettings.Environment)
        {
            start.Environment[name] = value; // as the operator image runs it
        }

        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        var process = Process.Start(start)!;
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return first == "started"
            ? new OperatorChildProcess(process)
            : throw new InvalidOperationException($"the operator child process said \"{first}\" instead of started");
    }

    /// <summary>The child's working set (VmRSS, what .NET calls the working set on Linux) and managed heap, in MiB, after a full collection in it.</summary>
    public async Task<(long WorkingSet, long Heap)> MemoryAsync()
    {
        await _process.StandardInput.WriteLineAsync("memory");
        await _process.StandardInput.FlushAsync();
        var answer = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) ?? "";
        var heap = long.Parse(answer.Split(' ')[1], CultureInfo.InvariantCulture);
        var rss = File.ReadLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (kib / 1024, heap / (1024 * 1024));
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
