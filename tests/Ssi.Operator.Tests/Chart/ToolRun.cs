using System.Diagnostics;

namespace Ssi.Operator.Tests.Chart;

/// <summary>Runs a real tool (helm, kubectl) to completion and captures its output.</summary>
internal sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<ToolRun> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    public ToolRun Succeeded(string what)
    {
        Assert.True(ExitCode == 0, $"{what} exited with {ExitCode}:\n{Stdout}\n{Stderr}");
        return this;
    }
}
