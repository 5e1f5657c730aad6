using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>tests/tools/fsdriver.py running inside a node's namespaces: plain system calls on command, descriptors kept between commands.</summary>
internal sealed class FsDriver : IDisposable
{
    private readonly Process _process;
    private int _disposed;

    private FsDriver(Process process, string node)
    {
        _process = process;
        Node = node;
    }

    public string Node { get; }

    /// <summary>The driver's process (python3, nsenter execs it).</summary>
    public System.Diagnostics.Process Process => _process;

    public static FsDriver Start(string cluster, string node) => Start(cluster, node, "fsdriver.py");

    /// <summary>A driver script of tests/tools inside a node's namespaces, or on the host when <paramref name="node"/> is null.</summary>
    public static FsDriver Start(string? cluster, string? node, string script)
    {
        var info = new ProcessStartInfo("nsenter")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] enter = node is null ? ["--"] : [$"--mount=/run/ssi-operator/{cluster}/ns/{node}.mnt", $"--net=/run/netns/ssi.{cluster}.{node}", "--"];
        foreach (var a in enter.Concat(["/usr/bin/python3", Path.Combine(RepositoryPaths.Root, "tests", "tools", script)]))
        {
            info.ArgumentList.Add(a);
        }

        return new FsDriver(Process.Start(info)!, node ?? "host");
    }

    /// <summary>Runs one command; fails the test if it failed.</summary>
    public JsonElement Do(object command)
    {
        var result = Try(command);
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{Node}: {JsonSerializer.Serialize(command)} -> {result}");
        return result;
    }

    /// <summary>Runs one command and returns its result, failed or not; a command that hangs past <paramref name="deadline"/> throws.</summary>
    public JsonElement Try(object command, TimeSpan? deadline = null)
    {
        var result = Start(command);
        if (!result.Wait(deadline ?? TimeSpan.FromMinutes(2)))
        {
            throw new TimeoutException($"{Node}: {JsonSerializer.Serialize(command)} hung");
        }

        return result.Result;
    }

    /// <summary>
    /// Runs <paramref name="command"/> until it succeeds, for up to 30 s: while a node is cut off
    /// from the home (or the home's agent restarts) it fails with EIO or ENOTCONN, and nothing else.
    /// </summary>
    public async Task<JsonElement> EventuallyAsync(object command)
    {
        var result = default(JsonElement);
        for (var i = 0; i < 150; i++)
        {
            result = Try(command);
            if (result.GetProperty("ok").GetBoolean())
            {
                return result;
            }

            Assert.Contains(result.GetProperty("errno").GetInt32(), new[] { 5 /* EIO */, 107 /* ENOTCONN */ });
            await Task.Delay(200);
        }

        Assert.Fail($"{Node}: {JsonSerializer.Serialize(command)} kept failing: {result}");
        return result;
    }

    /// <summary>Starts one command (one that may block, such as a lock wait) and returns its result when it comes.</summary>
    public Task<JsonElement> Start(object command)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _process.StandardInput.Flush();
        return Result();
    }

    private async Task<JsonElement> Result()
    {
        var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"fsdriver on {Node} ended: {await _process.StandardError.ReadToEndAsync()}");
        return JsonNode.Parse(line)!.Deserialize<JsonElement>();
    }

    /// <summary>Waits until the driver is blocked in a request to its FUSE mount (its kernel waits for the reply).</summary>
    public void WaitUntilBlockedInFuse()
    {
        var wchan = $"/proc/{_process.Id}/wchan";
        for (var i = 0; i < 600; i++)
        {
            if (File.ReadAllText(wchan).Contains("request_wait_answer", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"{Node}: the driver never blocked in a FUSE request (wchan {File.ReadAllText(wchan)})");
    }

    public string Read(string path) => Do(new { op = "read", path }).GetProperty("data").GetString()!;

    public bool Exists(string path) => Do(new { op = "exists", path }).GetProperty("exists").GetBoolean();

    /// <summary>Ends the driver (its descriptors close as it exits); a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
