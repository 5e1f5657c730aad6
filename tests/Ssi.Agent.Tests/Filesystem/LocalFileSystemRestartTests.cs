using System.Text;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Node ids and file handles of the home survive its agent: a new <see cref="LocalFileSystem"/> on the same id file serves what the old one handed out.</summary>
public sealed class LocalFileSystemRestartTests : IDisposable
{
    private const ulong Root = 1;
    private const int O_RDWR = 2;
    private readonly string _top = Directory.CreateTempSubdirectory("ssi-restart-").FullName;

    public LocalFileSystemRestartTests()
    {
        Prerequisites.RequireRoot(); // open_by_handle_at needs CAP_DAC_READ_SEARCH
        Directory.CreateDirectory(Backing);
    }

    private string Backing => Path.Combine(_top, "backing");

    private string IdFile => Path.Combine(_top, "state", "node-ids");

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private LocalFileSystem Start() => new(Backing, TimeSpan.FromSeconds(1), IdFile);

    [Fact]
    public void Ids_and_open_handles_of_an_earlier_run_keep_working()
    {
        ulong dir, file, handle;
        ushort firstEpoch;
        using (var before = Start())
        {
            dir = before.Mkdir(Root, B("d"), 0x41ed, default).NodeId;
            var (entry, opened) = before.Create(dir, B("f"), O_RDWR, 0x81a4, default);
            file = entry.NodeId;
            handle = opened.Handle;
            before.Write(file, handle, 0, "before"u8);
            firstEpoch = before.Epoch;
        }

        using var after = Start();

        Assert.NotEqual(firstEpoch, after.Epoch);
        Assert.Equal(6UL, after.GetAttr(file).Size);
        after.Write(file, handle, 6, " and after"u8);        // the handle is reopened read-write
        var buffer = new byte[64];
        Assert.Equal("before and after", Encoding.UTF8.GetString(buffer, 0, after.Read(file, handle, 0, buffer)));
        Assert.Equal(file, after.Lookup(dir, B("f"))!.Value.NodeId); // a lookup by name gives the old id
        Assert.Equal(dir, after.Lookup(Root, B("d"))!.Value.NodeId);
        after.Release(file, handle);
    }

    [Fact]
    public void A_forgotten_id_is_reopened_from_its_file_handle()
    {
        using var fs = Start();
        var id = fs.Mkdir(Root, B("kept"), 0x41ed, default).NodeId;
        fs.Forget(id, 1);

        Assert.Equal(0x41ed, (int)fs.GetAttr(id).Mode);
    }

    [Fact]
    public void The_id_of_a_file_deleted_meanwhile_is_stale()
    {
        ulong id;
        using (var before = Start())
        {
            id = before.Mknod(Root, B("gone"), 0x81a4, 0, default).NodeId;
        }

        File.Delete(Path.Combine(Backing, "gone"));
        using var after = Start();

        Assert.Equal(Errno.ESTALE, Assert.Throws<FsError>(() => after.GetAttr(id)).Errno);
    }

    [Fact]
    public void A_handle_of_this_run_that_is_not_open_is_a_bad_descriptor()
    {
        using var fs = Start();
        var (entry, opened) = fs.Create(Root, B("f"), O_RDWR, 0x81a4, default);
        fs.Release(entry.NodeId, opened.Handle);

        Assert.Equal(Errno.EBADF, Assert.Throws<FsError>(() => fs.Read(entry.NodeId, opened.Handle, 0, new byte[1])).Errno);
    }

    [Fact]
    public void A_table_made_for_another_backing_directory_is_not_used()
    {
        ulong id;
        using (var before = Start())
        {
            id = before.Mkdir(Root, B("x"), 0x41ed, default).NodeId;
        }

        var other = Path.Combine(_top, "other");
        Directory.CreateDirectory(Path.Combine(other, "y"));
        using var elsewhere = new LocalFileSystem(other, TimeSpan.FromSeconds(1), IdFile);

        Assert.Equal(Errno.ESTALE, Assert.Throws<FsError>(() => elsewhere.GetAttr(id)).Errno);
    }

    [Fact]
    public void A_torn_last_record_is_dropped_and_the_rest_is_kept()
    {
        ulong id;
        using (var before = Start())
        {
            id = before.Mkdir(Root, B("whole"), 0x41ed, default).NodeId;
        }

        File.AppendAllText(IdFile, "torn");
        using (var after = Start())
        {
            Assert.Equal(0x41ed, (int)after.GetAttr(id).Mode);
            after.Mkdir(Root, B("next"), 0x41ed, default);
        }

        using var again = Start();
        Assert.Equal(0x41ed, (int)again.GetAttr(id).Mode);
        Assert.NotNull(again.Lookup(Root, B("next")));
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);
}
