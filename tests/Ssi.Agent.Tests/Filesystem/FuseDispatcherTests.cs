using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Filesystem.Local;
using Ssi.Agent.Filesystem.Locks;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Requests through the dispatcher to the home's filesystem on a temporary directory, without a mount.</summary>
public sealed class FuseDispatcherTests : IDisposable
{
    private const ulong Root = 1;
    private readonly DirectoryInfo _top = Directory.CreateTempSubdirectory("ssi-dispatch-");
    private readonly LocalFileSystem _fs;
    private readonly FuseDispatcher _dispatcher;

    public FuseDispatcherTests()
    {
        _fs = new LocalFileSystem(Path.Combine(_top.FullName, "backing"), TimeSpan.FromSeconds(1));
        var hub = new CoherencyHub(NullLogger<CoherencyHub>.Instance, new NodeLiveness(TimeProvider.System, TimeSpan.FromSeconds(10)));
        _dispatcher = new FuseDispatcher(_fs, hub, new LockManager(), NullLogger<FuseDispatcher>.Instance);
    }

    /// <summary>The error of the reply to a request (0: success).</summary>
    private int Send(FuseOpcode opcode, byte[] body)
    {
        var output = new byte[4096];
        var length = _dispatcher.Handle(FuseCodecTests.RequestFixture(opcode, 7, Root, 1, body), output, origin: 0, allowPassthrough: false, late: null);
        return BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(4, length - 4));
    }

    private static byte[] FsyncIn(ulong handle)
    {
        var body = new byte[16]; // struct fuse_fsync_in: fh, fsync_flags, padding
        BinaryPrimitives.WriteUInt64LittleEndian(body, handle);
        return body;
    }

    [Fact]
    public void Fsyncdir_syncs_the_directory_behind_its_handle()
    {
        var handle = _fs.OpenDir(Root);
        try
        {
            Assert.Equal(0, Send(FuseOpcode.FsyncDir, FsyncIn(handle)));
        }
        finally
        {
            _fs.ReleaseDir(Root, handle);
        }

        // Not a no-op: a handle that is no descriptor fails as fsync(2) would.
        Assert.Equal(-Errno.EBADF, Send(FuseOpcode.FsyncDir, FsyncIn(int.MaxValue)));
    }

    public void Dispose()
    {
        _fs.Dispose();
        _top.Delete(recursive: true);
    }
}
