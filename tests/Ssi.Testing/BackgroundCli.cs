using System.Diagnostics;

namespace Ssi.Testing;

/// <summary>A running `ssi` process whose output is being collected.</summary>
public sealed class BackgroundCli : IDisposable
{
    private readonly Process _process;
    private readonly string _description;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    internal BackgroundCli(Process process, string description)
    {
        _process = process;
        _description = description;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ssi {_description} did not finish in {timeout.TotalSeconds} s; output so far: {await _stdout}{await _stderr}");
        }

        return new CliResult(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
