using System.Diagnostics;
using System.Text;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>`ssi run` on pipes with stdin kept open: lines in, output collected as it comes.</summary>
internal sealed class InteractiveRun : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reader;

    public InteractiveRun(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(RepositoryPaths.Cli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        _process = Process.Start(info)!;
        _reader = Task.WhenAll(Pump(_process.StandardOutput), Pump(_process.StandardError));
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    public async Task WaitForOutputAsync(string text)
    {
        for (var i = 0; i < 150 && !Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(Output.Contains(text, StringComparison.Ordinal), $"'{text}' never came; output: {Output}");
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        await _reader;
        return _process.ExitCode;
    }

    private async Task Pump(StreamReader reader)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, n);
            }
        }
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
