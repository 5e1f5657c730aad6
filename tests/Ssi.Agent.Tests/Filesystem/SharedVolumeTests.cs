using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native.Mounts;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>
/// pvc mode on a real agent: a tmpfs mounted at the backing directory stands for the ReadWriteMany
/// volume the kubelet mounts; the agent must bind-mount it at the cluster's path without FUSE.
/// </summary>
public sealed class SharedVolumeTests : IDisposable
{
    private readonly MountScratch _scratch = new();

    private string Volume => _scratch.MountPoint("data");

    private string MountPath => _scratch.MountPoint("ssi");

    public void Dispose() => _scratch.Dispose();

    private Task<InProcessAgent> StartAsync() => InProcessAgent.StartAsync(
        "node1",
        "--Filesystem:Enabled=true",
        "--Filesystem:Mode=pvc",
        $"--Filesystem:MountPath={MountPath}",
        "--Filesystem:HomeNode=node1",
        $"--Filesystem:BackingDirectory={Volume}");

    [Fact]
    public async Task Pvc_mode_binds_the_volume_at_the_mount_path_without_FUSE_and_reports_it_mounted()
    {
        Prerequisites.RequireRoot();
        Directory.CreateDirectory(Volume);
        await MountTmpfsAsync(Volume);
        await File.WriteAllTextAsync(Path.Combine(Volume, "before.txt"), "from the volume");
        await using var agent = await StartAsync();
        using var channel = agent.Channel();
        var client = new Contracts.V1.Node.NodeClient(channel);

        var status = await agent.FilesystemStatusAsync(s => s.Mounted);
        await File.WriteAllTextAsync(Path.Combine(MountPath, "after.txt"), "through the mount path");

        Assert.Equal("volume", status.Role);
        Assert.Equal(MountPath, status.MountPath);
        Assert.Equal("", status.Message);
        Assert.Equal("tmpfs", MountTable.TypeAt(MountPath));
        Assert.Equal("from the volume", await File.ReadAllTextAsync(Path.Combine(MountPath, "before.txt")));
        Assert.Equal("through the mount path", await File.ReadAllTextAsync(Path.Combine(Volume, "after.txt")));

        var cleanup = await client.CleanupAsync(new CleanupRequest());

        Assert.Empty(cleanup.Failures);
        Assert.Null(MountTable.TypeAt(MountPath));
        Assert.False((await client.GetNodeInfoAsync(new GetNodeInfoRequest())).Filesystem.Mounted);
    }

    [Fact]
    public async Task Pvc_mode_without_a_volume_reports_the_filesystem_not_mounted_and_says_why()
    {
        Prerequisites.RequireRoot();
        Directory.CreateDirectory(Volume);
        await using var agent = await StartAsync();

        var status = await agent.FilesystemStatusAsync(s => s.Message.Length > 0 && s.Message != "Not mounted yet.");

        Assert.False(status.Mounted);
        Assert.Equal($"No volume is mounted at {Volume} (is the ReadWriteMany claim bound and mounted?).", status.Message);
        Assert.Null(MountTable.TypeAt(MountPath));
    }

    [Theory]
    [InlineData("/a\\040b", "/a b")]
    [InlineData("/ssi", "/ssi")]
    public void The_mount_table_reads_escaped_mount_points_and_takes_the_topmost_mount(string field, string path)
    {
        string[] mountinfo =
        [
            $"36 35 98:0 / {field} rw,noatime master:1 - ext4 /dev/root rw",
            $"37 36 0:45 / {field} rw shared:2 - tmpfs tmpfs rw",
        ];

        Assert.Equal("tmpfs", MountTable.TypeAt(mountinfo, path));
        Assert.Null(MountTable.TypeAt(mountinfo, "/elsewhere"));
    }

    private static async Task MountTmpfsAsync(string path)
    {
        Prerequisites.RequireCommand("mount", "mount");
        using var mount = System.Diagnostics.Process.Start("mount", ["-t", "tmpfs", "-o", "size=16m", "ssi-test-volume", path])!;
        await mount.WaitForExitAsync();
        Assert.True(mount.ExitCode == 0, $"mount -t tmpfs at {path} exited with {mount.ExitCode}");
    }
}
