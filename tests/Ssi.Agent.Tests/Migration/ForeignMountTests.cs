using System.Diagnostics;
using Ssi.Agent.Native.Mounts;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>
/// Copying a mount out of another mount namespace (a landing container's), as root with real
/// namespaces: a process in a mount namespace of its own has a tmpfs and a file bind that this one lacks.
/// </summary>
public sealed class ForeignMountTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-foreign-mount").FullName;
    private Process _container = null!;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireCommand("unshare", "util-linux");
        Directory.CreateDirectory(Path.Combine(_directory, "volume"));
        File.WriteAllText(Path.Combine(_directory, "hosts"), "ours\n");
        File.WriteAllText(Path.Combine(_directory, "their-hosts"), "theirs\n");
        _container = Process.Start(new ProcessStartInfo("unshare",
        [
            "--mount", "--propagation", "private", "sh", "-c",
            $"mount -t tmpfs tmpfs {_directory}/volume && echo inside > {_directory}/volume/f && mount --bind {_directory}/their-hosts {_directory}/hosts && echo ready > {_directory}/ready && exec sleep 60",
        ]))!;
        for (var i = 0; i < 100 && !File.Exists(Path.Combine(_directory, "ready")); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(File.Exists(Path.Combine(_directory, "ready")), "the process with its own mounts did not start");
    }

    public async Task DisposeAsync()
    {
        _container.Kill();
        await _container.WaitForExitAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// mount(8) would resolve /proc/PID/root to "/" and bind our own directory: it must not
    /// canonicalize. It reports the kernel's EINVAL as "wrong fs type, bad option, ...".
    /// </summary>
    [Fact]
    public async Task A_bind_of_a_path_in_another_mount_namespace_is_refused_by_the_kernel()
    {
        var target = Directory.CreateDirectory(Path.Combine(_directory, "bound")).FullName;
        using var bind = Process.Start(new ProcessStartInfo("mount", ["--no-canonicalize", "--bind", $"/proc/{_container.Id}/root{_directory}/volume", target]) { RedirectStandardError = true })!;
        var error = await bind.StandardError.ReadToEndAsync();
        await bind.WaitForExitAsync();

        Assert.NotEqual(0, bind.ExitCode);
        Assert.Contains("bad option", error, StringComparison.Ordinal);
        Assert.Null(MountTable.TypeAt(target));
    }

    [Fact]
    public void A_mount_of_another_namespace_is_copied_here_and_released_again()
    {
        var copy = Path.Combine(_directory, "copy", "volume");

        ForeignMount.Clone($"/proc/{_container.Id}/ns/mnt", $"{_directory}/volume", copy);

        Assert.Equal("inside\n", File.ReadAllText(Path.Combine(copy, "f")));
        Assert.Equal("tmpfs", MountTable.TypeAt(copy));
        Assert.False(File.Exists(Path.Combine(_directory, "volume", "f"))); // still not ours at its own path
        ForeignMount.Release(copy);
        Assert.False(Directory.Exists(copy));
        Assert.Null(MountTable.TypeAt(copy));
    }

    [Fact]
    public void A_file_mount_is_copied_onto_a_file()
    {
        var copy = Path.Combine(_directory, "copy", "hosts");

        ForeignMount.Clone($"/proc/{_container.Id}/ns/mnt", $"{_directory}/hosts", copy);

        Assert.Equal("theirs\n", File.ReadAllText(copy));
        Assert.Equal("ours\n", File.ReadAllText(Path.Combine(_directory, "hosts")));
        ForeignMount.Release(copy);
        Assert.False(File.Exists(copy));
    }

    [Fact]
    public void Copies_a_stopped_agent_left_are_unmounted_and_their_empty_places_removed_and_nothing_else()
    {
        var node = Path.Combine(_directory, "landing", "node2");
        var attempt = Path.Combine(node, "m1");
        ForeignMount.Clone($"/proc/{_container.Id}/ns/mnt", $"{_directory}/volume", Path.Combine(attempt, "0"));
        ForeignMount.Clone($"/proc/{_container.Id}/ns/mnt", $"{_directory}/hosts", Path.Combine(attempt, "1"));
        Directory.CreateDirectory(Path.Combine(attempt, "root"));
        var other = Directory.CreateDirectory(Path.Combine(node, "m2")).FullName;
        File.WriteAllText(Path.Combine(other, "kept"), "not ours to remove");

        Assert.Equal(2, Ssi.Agent.Migration.Landing.LandingMounts.ReleaseLeftOver(node));

        Assert.False(Directory.Exists(attempt));
        Assert.Null(MountTable.TypeAt(Path.Combine(attempt, "0")));
        Assert.Equal("not ours to remove", File.ReadAllText(Path.Combine(other, "kept")));
        Assert.Equal("inside\n", File.ReadAllText($"/proc/{_container.Id}/root{_directory}/volume/f"));
    }
}
