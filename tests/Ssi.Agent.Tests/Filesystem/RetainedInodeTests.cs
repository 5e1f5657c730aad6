using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Files every kernel forgot stay open on the home for a while, unless they are gone.</summary>
public sealed class RetainedInodeTests : IDisposable
{
    private const ulong Root = 1;
    private readonly string _backing = Directory.CreateTempSubdirectory("ssi-retain-").FullName;
    private readonly LocalFileSystem _fs;

    public RetainedInodeTests()
    {
        for (var i = 0; i < 4; i++)
        {
            File.WriteAllText(Path.Combine(_backing, $"f{i}"), "x");
        }

        _fs = new LocalFileSystem(_backing, TimeSpan.FromSeconds(1), retainedInodes: 2);
    }

    private ulong LookUp(string name) => _fs.Lookup(Root, System.Text.Encoding.UTF8.GetBytes(name))!.Value.NodeId;

    [Fact]
    public void A_forgotten_file_looked_up_again_keeps_its_node_id()
    {
        var node = LookUp("f0");

        _fs.Forget(node, 1);

        Assert.Equal(1, _fs.RetainedCount);
        Assert.Equal(node, LookUp("f0"));
        Assert.Equal(0, _fs.RetainedCount);
    }

    [Fact]
    public void Only_as_many_as_the_capacity_stay_and_the_oldest_go_first()
    {
        var nodes = Enumerable.Range(0, 4).Select(i => LookUp($"f{i}")).ToList();

        foreach (var node in nodes)
        {
            _fs.Forget(node, 1);
        }

        Assert.Equal(2, _fs.RetainedCount);
        Assert.Equal(nodes[0], LookUp("f0")); // opened again (node ids outlive the descriptors)
        Assert.Equal(2, _fs.RetainedCount);
        Assert.Equal(nodes[3], LookUp("f3")); // still open
        Assert.Equal(1, _fs.RetainedCount);
    }

    [Fact]
    public void A_deleted_file_is_let_go_at_once()
    {
        var node = LookUp("f1");
        _fs.Unlink(Root, "f1"u8);

        _fs.Forget(node, 1);

        Assert.Equal(0, _fs.RetainedCount);
        Assert.Equal(Errno.ESTALE, Assert.Throws<FsError>(() => _fs.GetAttr(node)).Errno);
    }

    public void Dispose()
    {
        _fs.Dispose();
        Directory.Delete(_backing, recursive: true);
    }
}
