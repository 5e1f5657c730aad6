using System.Text;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Requests from the wire cannot reach outside the backing directory.</summary>
public sealed class PathEscapeTests : IDisposable
{
    private const ulong Root = 1;
    private readonly string _top = Directory.CreateTempSubdirectory("ssi-escape-").FullName;
    private readonly LocalFileSystem _fs;

    public PathEscapeTests()
    {
        File.WriteAllText(Path.Combine(_top, "secret"), "outside");
        Directory.CreateDirectory(Path.Combine(_top, "backing", "d"));
        _fs = new LocalFileSystem(Path.Combine(_top, "backing"), TimeSpan.FromSeconds(1));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../secret")]
    [InlineData("d/../../secret")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public void Names_that_are_not_one_plain_component_are_refused(string name)
    {
        Assert.Equal(Errno.EINVAL, Assert.Throws<FsError>(() => _fs.Lookup(Root, B(name))).Errno);
        Assert.Equal(Errno.EINVAL, Assert.Throws<FsError>(() => _fs.Mkdir(Root, B(name), 0x41ed, default)).Errno);
        Assert.Equal(Errno.EINVAL, Assert.Throws<FsError>(() => _fs.Unlink(Root, B(name))).Errno);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("/etc/passwd")]
    public void A_symlink_is_never_followed_on_the_server(string target)
    {
        File.CreateSymbolicLink(Path.Combine(_top, "backing", "esc"), target);

        var entry = _fs.Lookup(Root, B("esc"))!.Value;

        Assert.Equal(0xA000u, entry.Attributes.Mode & 0xF000);
        Assert.Equal(target, Encoding.UTF8.GetString(_fs.ReadLink(entry.NodeId)));
        Assert.Equal(Errno.ELOOP, Assert.Throws<FsError>(() => _fs.Open(entry.NodeId, 0)).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<FsError>(() => _fs.Lookup(entry.NodeId, B("secret"))).Errno);
    }

    [Fact]
    public void Creating_over_a_symlink_does_not_write_its_target()
    {
        File.CreateSymbolicLink(Path.Combine(_top, "backing", "trap"), Path.Combine(_top, "secret"));

        var e = Assert.Throws<FsError>(() => _fs.Create(Root, B("trap"), 1 /* O_WRONLY */, 0x81a4, default));

        Assert.True(e.Errno is Errno.ELOOP or Errno.EEXIST, $"errno {e.Errno}");
        Assert.Equal("outside", File.ReadAllText(Path.Combine(_top, "secret")));
    }

    [Fact]
    public void A_directory_swapped_for_a_symlink_after_lookup_keeps_pointing_at_the_original()
    {
        var d = _fs.Lookup(Root, B("d"))!.Value;
        Directory.Move(Path.Combine(_top, "backing", "d"), Path.Combine(_top, "backing", "d-moved"));
        File.CreateSymbolicLink(Path.Combine(_top, "backing", "d"), _top);

        // The node still names the original directory (held by descriptor), not the symlink's target.
        Assert.Null(_fs.Lookup(d.NodeId, B("secret")));
        var created = _fs.Mknod(d.NodeId, B("inside"), 0x81a4, 0, default);
        Assert.True(File.Exists(Path.Combine(_top, "backing", "d-moved", "inside")));
        Assert.False(File.Exists(Path.Combine(_top, "inside")));
        Assert.NotEqual(0UL, created.NodeId);
    }

    [Fact]
    public void Node_ids_never_handed_out_are_stale_and_open_nothing()
    {
        Assert.Equal(Errno.ESTALE, Assert.Throws<FsError>(() => _fs.GetAttr(999_999)).Errno);
        Assert.Equal(Errno.ESTALE, Assert.Throws<FsError>(() => _fs.Open(424_242, 0)).Errno);
    }

    [Fact]
    public void Forget_releases_inodes_but_never_the_root()
    {
        var before = _fs.InodeCount;
        var entry = _fs.Lookup(Root, B("d"))!.Value;
        _fs.Lookup(Root, B("d"));

        _fs.Forget(entry.NodeId, 1);
        Assert.Equal(before + 1, _fs.InodeCount);
        _fs.Forget(entry.NodeId, 1);
        _fs.Forget(Root, 100);

        Assert.Equal(before, _fs.InodeCount);
        Assert.Equal(0x4000u, _fs.GetAttr(Root).Mode & 0xF000);
    }

    public void Dispose()
    {
        _fs.Dispose();
        Directory.Delete(_top, recursive: true);
    }
}
