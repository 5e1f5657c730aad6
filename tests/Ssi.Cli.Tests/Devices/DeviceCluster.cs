using Ssi.Cli.Tests.Filesystem;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Devices;

/// <summary>
/// A pty pair made by the test on the host (its master stays here, the slave is exported by path)
/// and a local cluster whose node1 exports the sample's devices, /dev/full, /dev/loop-control and that slave.
/// </summary>
public sealed class DeviceCluster : IAsyncLifetime
{
    public const string LoopControl = "/dev/loop-control";
    private TestCluster? _cluster;

    /// <summary>Holds the pty master ("m") and slave ("s") open on the host.</summary>
    internal FsDriver Host { get; private set; } = null!;

    public string PtyPath { get; private set; } = "";

    /// <summary>The slave's name under /run/ssi/dev/node1/.</summary>
    public string PtyName => PtyPath["/dev/".Length..].Replace('/', '-');

    public string Name => _cluster?.Name ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireFuse();
        foreach (var device in new[] { "/dev/null", "/dev/zero", "/dev/urandom", "/dev/full", LoopControl })
        {
            if (!File.Exists(device))
            {
                throw new PrerequisiteMissingException($"{device} (a character device the device tests export) does not exist on this machine");
            }
        }

        Host = FsDriver.Start(null, null, "devdriver.py");
        PtyPath = Host.Do(new { op = "openpty", master = "m", slave = "s" }).GetProperty("path").GetString()!;
        _cluster = TestCluster.FromSample("d", yaml => yaml.Replace("/dev/urandom]", $"/dev/urandom, /dev/full, {LoopControl}, {PtyPath}]", StringComparison.Ordinal));
        var up = await _cluster.UpAsync();
        Assert.True(up.ExitCode == 0, up.ToString());
    }

    internal FsDriver OnNode(string node) => FsDriver.Start(Name, node, "devdriver.py");

    public async Task DisposeAsync()
    {
        if (_cluster is not null && Environment.GetEnvironmentVariable("SSI_TEST_KEEP") != "1")
        {
            await _cluster.DisposeAsync();
        }

        Host?.Dispose();
    }
}
