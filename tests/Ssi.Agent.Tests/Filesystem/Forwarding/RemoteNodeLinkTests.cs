using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>Which forwarded requests the home answers on the link's own thread, and which on a worker.</summary>
public sealed class RemoteNodeLinkTests
{
    private static byte[] Request(FuseOpcode opcode, int bodyLength, Action<Span<byte>>? body = null)
    {
        var message = new byte[FuseProtocol.InHeaderSize + bodyLength];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), 7);
        body?.Invoke(message.AsSpan(FuseProtocol.InHeaderSize));
        return message;
    }

    private static byte[] Read(uint size) => Request(FuseOpcode.Read, 40, b => BinaryPrimitives.WriteUInt32LittleEndian(b[16..], size));

    private static byte[] Write(int size) => Request(FuseOpcode.Write, 40 + size, b => BinaryPrimitives.WriteUInt32LittleEndian(b[16..], (uint)size));

    [Fact]
    public void Small_reads_are_answered_on_the_link_thread_and_large_ones_on_a_worker()
    {
        Assert.True(RemoteNodeLink.ReadsInline(Read(4096)));
        Assert.True(RemoteNodeLink.ReadsInline(Read(128 * 1024)));
        Assert.False(RemoteNodeLink.ReadsInline(Read(1024 * 1024)));
        Assert.False(RemoteNodeLink.ReadsInline(Write(4096)));
    }

    [Theory]
    [InlineData((uint)FuseOpcode.Create, true)]
    [InlineData((uint)FuseOpcode.Mkdir, true)]
    [InlineData((uint)FuseOpcode.Unlink, true)]
    [InlineData((uint)FuseOpcode.Rename2, true)]
    [InlineData((uint)FuseOpcode.SetAttr, true)]
    [InlineData((uint)FuseOpcode.Open, true)]
    [InlineData((uint)FuseOpcode.Fsync, false)]
    [InlineData((uint)FuseOpcode.Fallocate, false)]
    [InlineData((uint)FuseOpcode.ReadDirPlus, false)]
    [InlineData((uint)FuseOpcode.SetLkW, false)]
    public void Metadata_changes_are_made_on_the_link_thread(uint opcode, bool inline)
    {
        Assert.Equal(inline, RemoteNodeLink.ChangesInline(Request((FuseOpcode)opcode, 64)));
    }

    [Fact]
    public void Small_writes_are_made_on_the_link_thread_and_large_ones_on_a_worker()
    {
        Assert.True(RemoteNodeLink.ChangesInline(Write(4096)));
        Assert.True(RemoteNodeLink.ChangesInline(Write(128 * 1024)));
        Assert.False(RemoteNodeLink.ChangesInline(Write((128 * 1024) + 1)));
    }
}
