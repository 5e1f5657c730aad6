using System.Diagnostics;

namespace Ssi.Testing;

/// <summary>Runs the real `ssi` program as a user would, and captures what it printed.</summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        Start(arguments, environment).WaitAsync(timeout ?? TimeSpan.FromMinutes(2));

    /// <summary>Runs `ssi` inside a network namespace (as on that node), via nsenter.</summary>
    public static Task<CliResult> RunInNetworkNamespaceAsync(string namespaceName, IEnumerable<string> arguments) =>
        Start(arguments, null, ["nsenter", $"--net=/run/netns/{namespaceName}", "--"]).WaitAsync(TimeSpan.FromMinutes(2));

    /// <summary>Starts `ssi` and returns at once; stdin is closed.</summary>
    public static BackgroundCli Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null) =>
        wrapper is { Count: > 0 }
            ? StartProgram(wrapper[0], [.. wrapper.Skip(1), RepositoryPaths.Cli, .. arguments], environment)
            : StartProgram(RepositoryPaths.Cli, arguments, environment);

    /// <summary>Starts any program exactly as `ssi` is started (output collected, stdin closed), e.g. to compare with it.</summary>
    public static BackgroundCli StartProgram(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return new BackgroundCli(process, string.Join(' ', info.ArgumentList));
    }
}
