using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Filesystem.Forwarding;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>What a forwarding node learns of its kernel's holdings from the FUSE traffic it forwards (byte layouts of fuse.h).</summary>
public sealed class NodeHoldingsTests
{
    private readonly NodeHoldings _holdings = new();

    private static byte[] Request(FuseOpcode opcode, ulong node, params ulong[] body)
    {
        var message = new byte[40 + body.Length * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), node);
        for (var i = 0; i < body.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(40 + i * 8), body[i]);
        }

        return message;
    }

    /// <summary>A successful reply: header, then <paramref name="words"/> at the start of the body, the rest zeros.</summary>
    private static byte[] Reply(int bodyLength, params ulong[] words)
    {
        var reply = new byte[16 + bodyLength];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)reply.Length);
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(16 + i * 8), words[i]);
        }

        return reply;
    }

    [Fact]
    public void Lookups_count_and_forgets_take_them_back()
    {
        _holdings.Observe(Request(FuseOpcode.Lookup, 1), Reply(FuseProtocol.EntryOutSize, 7));
        _holdings.Observe(Request(FuseOpcode.Lookup, 1), Reply(FuseProtocol.EntryOutSize, 7));
        _holdings.Observe(Request(FuseOpcode.Mkdir, 1), Reply(FuseProtocol.EntryOutSize, 8));
        var released = new List<ulong>();
        var forgets = new List<(ulong Node, long Lookups)>();

        _holdings.Observe(Request(FuseOpcode.Forget, 7, 1), [], released, forgets);
        _holdings.Observe(Request(FuseOpcode.BatchForget, 0, 1, 8, 1), [], released, forgets);

        // 7 is still the kernel's: the home forgets one lookup now. 8 is let go by the kernel: the home
        // counts it until it is dropped (or retained).
        Assert.Equal([(7UL, 1L)], forgets);
        Assert.Equal([8UL], released);
        Assert.Equal([(7UL, 1L), (8UL, 1L)], _holdings.Snapshot().Held.OrderBy(h => h.Node));
        Assert.Equal(1, _holdings.Drop(8));
        Assert.Equal([(7UL, 1L)], _holdings.Snapshot().Held);
    }

    [Fact]
    public void A_retained_id_stays_counted_at_the_home_and_a_local_lookup_gives_it_back_to_the_kernel()
    {
        _holdings.Observe(Request(FuseOpcode.Lookup, 1), Reply(FuseProtocol.EntryOutSize, 7));
        var released = new List<ulong>();
        _holdings.Observe(Request(FuseOpcode.Forget, 7, 1), [], released);
        _holdings.Retain(7, now: 1000);

        Assert.True(_holdings.IsHeld(7));
        Assert.True(_holdings.LocalLookup(7));
        Assert.Equal(0, _holdings.RetainedCount);
        Assert.Empty(_holdings.Expire(now: 1_000_000, maxAge: 10, capacity: 100)); // the kernel's again: nothing expires
        Assert.Equal(0, _holdings.Drop(7)); // nor can it be dropped while the kernel holds it

        // Another lookup answered here: the kernel holds 2, the home counted 1, and forgets it only when the kernel lets go.
        Assert.True(_holdings.LocalLookup(7));
        released.Clear();
        var forgets = new List<(ulong Node, long Lookups)>();
        _holdings.Observe(Request(FuseOpcode.Forget, 7, 1), [], released, forgets);
        Assert.Empty(forgets);
        Assert.Empty(released);
        _holdings.Observe(Request(FuseOpcode.Forget, 7, 1), [], released, forgets);
        Assert.Equal([7UL], released);
        Assert.Equal(1, _holdings.Drop(7));
    }

    [Fact]
    public void Retained_ids_expire_by_age_and_beyond_the_capacity_and_cannot_be_looked_up_here_after()
    {
        foreach (var node in new ulong[] { 7, 8, 9 })
        {
            _holdings.Observe(Request(FuseOpcode.Lookup, 1), Reply(FuseProtocol.EntryOutSize, node));
            _holdings.Observe(Request(FuseOpcode.Forget, node, 1), []);
        }

        _holdings.Retain(7, now: 1000);
        _holdings.Retain(8, now: 2000);
        _holdings.Retain(9, now: 3000);

        Assert.Equal([(7UL, 1L)], _holdings.Expire(now: 2500, maxAge: 1000, capacity: 10));
        Assert.Equal([(8UL, 1L)], _holdings.Expire(now: 2500, maxAge: 1000, capacity: 1));
        Assert.False(_holdings.LocalLookup(7));
        Assert.False(_holdings.IsHeld(8));
        Assert.True(_holdings.LocalLookup(9));
    }

    [Fact]
    public void Many_expired_ids_go_a_few_at_a_time_oldest_first()
    {
        for (ulong node = 10; node < 15; node++)
        {
            _holdings.Observe(Request(FuseOpcode.Lookup, 1), Reply(FuseProtocol.EntryOutSize, node));
            _holdings.Observe(Request(FuseOpcode.Forget, node, 1), []);
            _holdings.Retain(node, now: (long)node);
        }

        Assert.Equal([(10UL, 1L), (11UL, 1L)], _holdings.Expire(now: 1000, maxAge: 100, capacity: 100, limit: 2));
        Assert.Equal([(12UL, 1L), (13UL, 1L)], _holdings.Expire(now: 1000, maxAge: 100, capacity: 100, limit: 2));
        Assert.Equal([(14UL, 1L)], _holdings.Expire(now: 1000, maxAge: 100, capacity: 100, limit: 2));
        Assert.Equal(0, _holdings.RetainedCount);
    }

    [Fact]
    public void A_failed_reply_gives_the_kernel_nothing()
    {
        var failed = Reply(FuseProtocol.EntryOutSize, 7);
        BinaryPrimitives.WriteInt32LittleEndian(failed.AsSpan(4), -2);

        _holdings.Observe(Request(FuseOpcode.Lookup, 1), failed);

        Assert.Empty(_holdings.Snapshot().Held);
    }

    [Fact]
    public void Opens_and_creates_are_open_files_until_released()
    {
        _holdings.Observe(Request(FuseOpcode.Open, 7, 0), Reply(16, 0xAB));
        var create = Reply(FuseProtocol.EntryOutSize + 16, 9);
        BinaryPrimitives.WriteUInt64LittleEndian(create.AsSpan(16 + FuseProtocol.EntryOutSize), 0xCD);
        _holdings.Observe(Request(FuseOpcode.Create, 1), create);

        _holdings.Observe(Request(FuseOpcode.Release, 7, 0xAB, 0, 0), Reply(0));

        var (held, open) = _holdings.Snapshot();
        Assert.Equal([(9UL, 0xCDUL)], open);
        Assert.Equal([(9UL, 1L)], held);
    }

    [Fact]
    public void Readdirplus_entries_count_except_those_without_a_node()
    {
        // Two direntplus records: "." (node 0, name length 1) and "f" (node 12).
        var record = FuseProtocol.EntryOutSize + 24 + 8;
        var reply = Reply(2 * record);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(16 + FuseProtocol.EntryOutSize + 16), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(16 + record), 12);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(16 + record + FuseProtocol.EntryOutSize + 16), 1);

        _holdings.Observe(Request(FuseOpcode.ReadDirPlus, 1), reply);

        Assert.Equal([(12UL, 1L)], _holdings.Snapshot().Held);
    }
}
