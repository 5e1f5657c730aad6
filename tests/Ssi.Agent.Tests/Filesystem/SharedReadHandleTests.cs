using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Reads through the handle of read-only opens that forwarding nodes answer themselves.</summary>
public sealed class SharedReadHandleTests : IDisposable
{
    private const ulong Root = 1;
    private readonly string _backing = Directory.CreateTempSubdirectory("ssi-shared-").FullName;
    private readonly LocalFileSystem _fs;

    public SharedReadHandleTests()
    {
        File.WriteAllText(Path.Combine(_backing, "f"), "shared bytes");
        _fs = new LocalFileSystem(_backing, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_read_through_the_shared_handle_reads_the_file_named_by_its_node_id()
    {
        var node = _fs.Lookup(Root, "f"u8)!.Value.NodeId;
        var buffer = new byte[64];

        var read = _fs.Read(node, FileHandles.SharedRead, 7, buffer);

        Assert.Equal("bytes", System.Text.Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public void Releasing_the_shared_handle_leaves_it_readable_and_closes_nothing_of_the_home()
    {
        var node = _fs.Lookup(Root, "f"u8)!.Value.NodeId;
        var buffer = new byte[64];
        _fs.Read(node, FileHandles.SharedRead, 0, buffer);
        var (entry, file) = _fs.Create(Root, "g"u8, 2, 0x1a4, default);

        _fs.Release(node, FileHandles.SharedRead);

        Assert.Equal(12, _fs.Read(node, FileHandles.SharedRead, 0, buffer));
        Assert.Equal(1, _fs.Write(entry.NodeId, file.Handle, 0, "x"u8));
        _fs.Release(entry.NodeId, file.Handle);
    }

    [Fact]
    public void A_file_that_is_forgotten_can_be_looked_up_and_read_again()
    {
        var node = _fs.Lookup(Root, "f"u8)!.Value.NodeId;
        _fs.Read(node, FileHandles.SharedRead, 0, new byte[8]);

        _fs.Forget(node, 1);
        var again = _fs.Lookup(Root, "f"u8)!.Value.NodeId;

        Assert.Equal(node, again); // node ids outlive the descriptors
        Assert.Equal(12, _fs.Read(again, FileHandles.SharedRead, 0, new byte[64]));
    }

    public void Dispose()
    {
        _fs.Dispose();
        Directory.Delete(_backing, recursive: true);
    }
}
