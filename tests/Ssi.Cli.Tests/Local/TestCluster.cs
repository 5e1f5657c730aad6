using System.Text.Json;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Local;

/// <summary>A uniquely named copy of a sample cluster, brought up and down with the real `ssi` program.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(string name, string manifest)
    {
        Name = name;
        Manifest = manifest;
    }

    public string Name { get; }

    public string Manifest { get; }

    /// <summary>Writes crds/samples/ssicluster-local.yaml under a fresh name.</summary>
    public static TestCluster FromSample(string prefix = "t") => FromSample(prefix, yaml => yaml);

    /// <summary>As above, with the sample's text changed by <paramref name="edit"/> first.</summary>
    public static TestCluster FromSample(string prefix, Func<string, string> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        Prerequisites.RequireNetworkNamespaces();
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var yaml = edit(File.ReadAllText(Path.Combine(RepositoryPaths.Samples, "ssicluster-local.yaml")))
            .Replace("name: demo", $"name: {name}", StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        File.WriteAllText(path, yaml);
        return new TestCluster(name, path);
    }

    public Task<CliResult> UpAsync(IDictionary<string, string>? environment = null) =>
        CliRun.RunAsync(["local", "up", "-f", Manifest], environment);

    public Task<CliResult> DownAsync() => CliRun.RunAsync(["local", "down", "-n", Name]);

    /// <summary>`ssi local restart`: a node's agent is killed (or stopped) and started again.</summary>
    public Task<CliResult> RestartAgentAsync(string node, bool kill = true) =>
        CliRun.RunAsync(kill ? ["local", "restart", "-n", Name, node, "--kill"] : ["local", "restart", "-n", Name, node]);

    public async Task<JsonElement> StatusJsonAsync()
    {
        var result = await CliRun.RunAsync(["local", "status", "-n", Name, "-o", "json"]);
        Assert.True(result.ExitCode is 0 or 3, result.ToString());
        return JsonDocument.Parse(result.StandardOutput).RootElement[0];
    }

    public async ValueTask DisposeAsync()
    {
        KeepLogs();
        await DownAsync();
        File.Delete(Manifest);
    }

    /// <summary>The agents' logs outlive the cluster in $TMPDIR/ssi-test-logs/NAME, for a look after a failure.</summary>
    private void KeepLogs()
    {
        var logs = Path.Combine(Environment.GetEnvironmentVariable("SSI_LOCAL_ROOT") is { Length: > 0 } root ? root : "/run/ssi-operator", Name, "logs");
        if (!Directory.Exists(logs))
        {
            return;
        }

        var kept = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ssi-test-logs", Name)).FullName;
        foreach (var log in Directory.GetFiles(logs))
        {
            File.Copy(log, Path.Combine(kept, Path.GetFileName(log)), overwrite: true);
        }
    }
}
