using System.Buffers.Binary;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>What a forwarding node answers without the home, and when it must stop.</summary>
public sealed class ForwardingCacheTests
{
    private const ulong File = 7;
    private const ulong Other = 8;

    private static byte[] Request(FuseOpcode opcode, ulong node, ulong unique, ReadOnlySpan<byte> body = default)
    {
        var message = new byte[FuseProtocol.InHeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), unique);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), node);
        body.CopyTo(message.AsSpan(FuseProtocol.InHeaderSize));
        return message;
    }

    private static byte[] GetXattr(ulong node, ulong unique, string name)
    {
        var body = new byte[8 + name.Length + 1];
        System.Text.Encoding.ASCII.GetBytes(name, body.AsSpan(8));
        return Request(FuseOpcode.GetXattr, node, unique, body);
    }

    private static byte[] AttrReply(ulong unique, ulong size, bool cacheable = true)
    {
        var buffer = new byte[FuseProtocol.OutHeaderSize + FuseProtocol.AttrOutSize];
        var reply = new FuseReply(buffer);
        reply.AttrOut(new NodeAttributes(File, size, 1, 0, 0, 0, 0, 0, 0, 0x81a4, 1, 0, 0, 0, 4096), cacheable ? TimeSpan.FromHours(1) : TimeSpan.Zero);
        return reply.Finish(unique).ToArray();
    }

    private static byte[] Ok(ulong unique) => new FuseReply(new byte[16]).Finish(unique).ToArray();

    private static byte[] AttributesHint(ulong node, ulong size)
    {
        var hint = new byte[LinkFrame.HintHeaderSize + FuseProtocol.AttrOutSize];
        LinkFrame.WriteHint(hint, node, HintKind.Attributes, AttrReply(0, size).AsSpan(FuseProtocol.OutHeaderSize));
        return hint;
    }

    private static PendingRequest Sent(FuseOpcode opcode, ulong node, long epoch, byte[]? name = null) => new(opcode, node, long.MaxValue, 1, epoch, null, name);

    private static ulong? AnsweredSize(ForwardingCache cache, ulong node)
    {
        var output = new byte[256];
        var length = cache.TryAnswer(Request(FuseOpcode.GetAttr, node, 99), output);
        return length == 0 ? null : BinaryPrimitives.ReadUInt64LittleEndian(output.AsSpan(FuseProtocol.OutHeaderSize + 16 + 8));
    }

    [Fact]
    public void Attributes_the_home_gave_answer_the_next_GETATTR_with_its_own_unique()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);
        var output = new byte[256];

        var length = cache.TryAnswer(Request(FuseOpcode.GetAttr, File, 40), output);

        Assert.Equal(FuseProtocol.OutHeaderSize + FuseProtocol.AttrOutSize, length);
        Assert.Equal(40UL, BinaryPrimitives.ReadUInt64LittleEndian(output.AsSpan(8)));
        Assert.Equal(4096UL, AnsweredSize(cache, File));
    }

    [Fact]
    public void A_reply_that_was_on_its_way_while_something_was_invalidated_is_not_remembered()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var sent = Sent(FuseOpcode.GetAttr, File, cache.Epoch);

        cache.Invalidate(CacheInvalidation.Inode(Other));
        cache.Learn(sent, AttrReply(2, 4096), []);

        Assert.Null(AnsweredSize(cache, File));
    }

    [Fact]
    public void An_invalidation_from_the_home_forgets_the_file()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);

        cache.Invalidate(CacheInvalidation.Inode(File, 0));

        Assert.Null(AnsweredSize(cache, File));
    }

    [Fact]
    public void An_entry_invalidation_forgets_the_directory()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);

        cache.Invalidate(CacheInvalidation.Entry(File, "name"u8));

        Assert.Null(AnsweredSize(cache, File));
    }

    [Fact]
    public void A_write_forgets_the_file_and_takes_the_attributes_behind_its_reply()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);
        var write = Sent(FuseOpcode.Write, File, cache.Epoch);
        cache.Learn(write with { Opcode = FuseOpcode.Write, NodeId = Other }, Ok(4), []);
        Assert.Equal(4096UL, AnsweredSize(cache, File));

        cache.Learn(write, Ok(6), AttributesHint(File, 8192));

        Assert.Equal(8192UL, AnsweredSize(cache, File));
    }

    [Fact]
    public void A_write_without_hints_leaves_nothing_to_answer()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);

        cache.Learn(Sent(FuseOpcode.Write, File, cache.Epoch), Ok(6), []);

        Assert.Null(AnsweredSize(cache, File));
    }

    [Fact]
    public void An_unlink_forgets_every_file_it_may_have_touched()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);

        cache.Learn(Sent(FuseOpcode.Unlink, Other, cache.Epoch), Ok(4), AttributesHint(Other, 10));

        Assert.Null(AnsweredSize(cache, File));
        Assert.Equal(10UL, AnsweredSize(cache, Other));
    }

    [Fact]
    public void An_absent_attribute_is_answered_ENODATA_only_for_that_name()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var ask = GetXattr(File, 2, "user.mime_type");
        cache.Learn(Sent(FuseOpcode.GetXattr, File, cache.Epoch, ForwardingCache.NameOf(FuseOpcode.GetXattr, ask)), FuseReply.Error(new byte[16], 2, Errno.ENODATA).ToArray(), []);
        var output = new byte[64];

        Assert.Equal(16, cache.TryAnswer(GetXattr(File, 4, "user.mime_type"), output));
        Assert.Equal(-Errno.ENODATA, BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(4)));
        Assert.Equal(0, cache.TryAnswer(GetXattr(File, 6, "user.other"), output));
    }

    [Fact]
    public void The_list_of_names_answers_every_other_name_ENODATA_and_forwards_the_listed_ones()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var hint = new byte[64];
        var used = LinkFrame.WriteHint(hint, File, HintKind.XattrNames, "user.kept\0"u8);
        cache.Learn(Sent(FuseOpcode.Lookup, 1, cache.Epoch), Ok(2), hint.AsSpan(0, used));
        var output = new byte[64];

        Assert.Equal(16, cache.TryAnswer(GetXattr(File, 4, "user.absent"), output));
        Assert.Equal(0, cache.TryAnswer(GetXattr(File, 6, "user.kept"), output));
    }

    [Theory]
    [InlineData("system.posix_acl_access")]
    [InlineData("system.posix_acl_default")]
    [InlineData("security.selinux")]
    public void An_attribute_the_filesystem_does_not_keep_is_answered_EOPNOTSUPP_for_any_file(string name)
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var output = new byte[64];

        Assert.Equal(16, cache.TryAnswer(GetXattr(Other, 4, name), output));
        Assert.Equal(-Errno.EOPNOTSUPP, BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(4)));
        Assert.Equal(0, cache.TryAnswer(GetXattr(Other, 6, "security.capability"), output));
    }

    [Fact]
    public void A_reconnection_forgets_everything()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096), []);

        cache.Clear();

        Assert.Null(AnsweredSize(cache, File));
    }

    [Fact]
    public void A_file_that_saw_a_lock_request_is_remembered_for_its_flushes()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);

        cache.NoteLocking(File);

        Assert.True(cache.IsLocking(File));
        Assert.False(cache.IsLocking(Other));
    }

    private const ulong Directory = 20;

    private static byte[] Named(FuseOpcode opcode, ulong node, ulong unique, string name)
    {
        var offset = ForwardingPolicy.EntryNameOffset(opcode);
        var body = new byte[offset + name.Length + 1];
        System.Text.Encoding.ASCII.GetBytes(name, body.AsSpan(offset));
        return Request(opcode, node, unique, body);
    }

    private static byte[] EntryReply(ulong unique, ulong node)
    {
        var buffer = new byte[FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize];
        var reply = new FuseReply(buffer);
        reply.Entry(new FileEntry(node, 0, default, TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
        return reply.Finish(unique).ToArray();
    }

    private static void Do(ForwardingCache cache, FuseOpcode opcode, ulong node, string name, byte[] reply)
    {
        var request = Named(opcode, node, 2, name);
        cache.Learn(new PendingRequest(opcode, node, long.MaxValue, 1, cache.Epoch, null, ForwardingCache.NameOf(opcode, request)), reply, []);
    }

    private static bool AnsweredAbsent(ForwardingCache cache, ulong directory, string name)
    {
        var output = new byte[256];
        var length = cache.TryAnswer(Named(FuseOpcode.Lookup, directory, 30, name), output);
        Assert.True(length == 0 || BinaryPrimitives.ReadUInt64LittleEndian(output.AsSpan(FuseProtocol.OutHeaderSize)) == 0);
        return length > 0;
    }

    [Fact]
    public void A_directory_this_node_made_answers_lookups_of_names_it_does_not_have()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);

        Do(cache, FuseOpcode.Mkdir, 1, "new", EntryReply(2, Directory));

        Assert.True(AnsweredAbsent(cache, Directory, "anything"));
        Assert.False(AnsweredAbsent(cache, 1, "anything"));
    }

    [Fact]
    public void A_name_this_node_made_there_is_looked_up_at_the_home_and_an_unlinked_one_is_absent_again()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Mkdir, 1, "new", EntryReply(2, Directory));

        Do(cache, FuseOpcode.Create, Directory, "made", Ok(4));
        Assert.False(AnsweredAbsent(cache, Directory, "made"));
        Assert.True(AnsweredAbsent(cache, Directory, "other"));

        Do(cache, FuseOpcode.Unlink, Directory, "made", Ok(6));
        Assert.True(AnsweredAbsent(cache, Directory, "made"));
    }

    [Fact]
    public void A_change_by_another_node_in_that_directory_ends_what_this_node_knows_of_its_names()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Mkdir, 1, "new", EntryReply(2, Directory));

        cache.Invalidate(CacheInvalidation.Entry(Directory, "theirs"u8));

        Assert.False(AnsweredAbsent(cache, Directory, "theirs"));
        Assert.False(AnsweredAbsent(cache, Directory, "other"));
    }

    [Fact]
    public void A_directory_made_while_an_invalidation_came_in_is_not_known()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var request = Named(FuseOpcode.Mkdir, 1, 2, "new");
        var sent = new PendingRequest(FuseOpcode.Mkdir, 1, long.MaxValue, 1, cache.Epoch, null, ForwardingCache.NameOf(FuseOpcode.Mkdir, request));

        cache.Invalidate(CacheInvalidation.Entry(Directory, "early"u8));
        cache.Learn(sent, EntryReply(2, Directory), []);

        Assert.False(AnsweredAbsent(cache, Directory, "early"));
    }

    [Fact]
    public void A_failed_create_or_a_rename_ends_what_this_node_knows_of_names()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Mkdir, 1, "a", EntryReply(2, Directory));
        Do(cache, FuseOpcode.Mkdir, 1, "b", EntryReply(2, Directory + 1));

        Do(cache, FuseOpcode.Create, Directory, "x", FuseReply.Error(new byte[16], 4, Errno.EEXIST).ToArray());
        Assert.False(AnsweredAbsent(cache, Directory, "x"));
        Assert.True(AnsweredAbsent(cache, Directory + 1, "x"));

        cache.Learn(new PendingRequest(FuseOpcode.Rename, 5, long.MaxValue, 1, cache.Epoch, null), Ok(6), []);
        Assert.False(AnsweredAbsent(cache, Directory + 1, "x"));
    }

    [Fact]
    public void Nothing_is_kept_of_a_file_the_kernel_does_not_hold()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), node => node != Other);

        cache.Learn(Sent(FuseOpcode.GetAttr, Other, cache.Epoch), AttrReply(2, 4096), []);
        cache.Learn(Sent(FuseOpcode.Write, File, cache.Epoch), Ok(4), AttributesHint(Other, 10));

        Assert.Null(AnsweredSize(cache, Other));
    }

    [Fact]
    public void Attributes_without_cache_time_are_not_kept_and_make_opens_go_to_the_home()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);

        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096, cacheable: false), []);

        Assert.Null(AnsweredSize(cache, File));
        Assert.True(cache.IsVolatile(File));
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(4, 4096), []);
        Assert.False(cache.IsVolatile(File));
    }

    [Fact]
    public void An_invalidated_file_is_opened_at_the_home_until_a_fresh_reply_gives_its_attributes_cache_time()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var early = Sent(FuseOpcode.GetAttr, File, cache.Epoch);

        cache.Invalidate(CacheInvalidation.Inode(File));

        Assert.True(cache.IsVolatile(File));
        cache.Learn(early, AttrReply(2, 4096), []); // on its way when the invalidation came: proves nothing
        Assert.True(cache.IsVolatile(File));
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(4, 4096), []);
        Assert.False(cache.IsVolatile(File));
    }

    [Fact]
    public void A_file_the_kernel_let_go_is_forgotten_with_its_volatility()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        cache.Learn(Sent(FuseOpcode.GetAttr, File, cache.Epoch), AttrReply(2, 4096, cacheable: false), []);

        cache.Released(File);

        Assert.False(cache.IsVolatile(File));
    }

    [Fact]
    public void Files_the_kernel_lets_go_meanwhile_do_not_keep_a_new_directory_from_being_known()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var mkdir = Named(FuseOpcode.Mkdir, 1, 2, "new");
        var sent = new PendingRequest(FuseOpcode.Mkdir, 1, long.MaxValue, 1, cache.Epoch, null, ForwardingCache.NameOf(FuseOpcode.Mkdir, mkdir));

        cache.Released(Other); // FORGETs of unlinked files, while the mkdir travels
        cache.Learn(sent, EntryReply(2, Directory), []);

        Assert.True(AnsweredAbsent(cache, Directory, "anything"));
    }

    [Fact]
    public void An_invalidation_meanwhile_still_keeps_a_new_directory_from_being_known()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        var mkdir = Named(FuseOpcode.Mkdir, 1, 2, "new");
        var sent = new PendingRequest(FuseOpcode.Mkdir, 1, long.MaxValue, 1, cache.Epoch, null, ForwardingCache.NameOf(FuseOpcode.Mkdir, mkdir));

        cache.Invalidate(CacheInvalidation.Inode(Other));
        cache.Learn(sent, EntryReply(2, Directory), []);

        Assert.False(AnsweredAbsent(cache, Directory, "anything"));
    }

    private static byte[] LookupReply(ulong unique, ulong node, uint nlink, ulong size)
    {
        var reply = EntryReply(unique, node);
        var attr = reply.AsSpan(FuseProtocol.OutHeaderSize + 40);
        BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(attr[64..], nlink);
        return reply;
    }

    private static (int Length, ulong Looked, byte[] Reply) Lookup(ForwardingCache cache, ulong directory, string name)
    {
        var output = new byte[256];
        var length = cache.TryAnswer(Named(FuseOpcode.Lookup, directory, 30, name), output, out var looked);
        return (length, looked, output[..length]);
    }

    [Fact]
    public void A_name_the_home_resolved_is_answered_with_its_file_and_attributes()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Lookup, Directory, "f", LookupReply(2, File, nlink: 1, size: 42));

        var (length, looked, reply) = Lookup(cache, Directory, "f");

        Assert.Equal(FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize, length);
        Assert.Equal(File, looked);
        Assert.Equal(30UL, BinaryPrimitives.ReadUInt64LittleEndian(reply.AsSpan(8)));
        Assert.Equal(File, BinaryPrimitives.ReadUInt64LittleEndian(reply.AsSpan(FuseProtocol.OutHeaderSize)));
        Assert.Equal(3600UL, BinaryPrimitives.ReadUInt64LittleEndian(reply.AsSpan(FuseProtocol.OutHeaderSize + 16)));
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64LittleEndian(reply.AsSpan(FuseProtocol.OutHeaderSize + 48)));
        Assert.Equal(0, Lookup(cache, Directory, "other").Length);
    }

    [Fact]
    public void A_change_in_the_directory_or_to_the_file_by_another_node_sends_the_lookup_to_the_home()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Lookup, Directory, "f", LookupReply(2, File, nlink: 1, size: 42));
        Do(cache, FuseOpcode.Lookup, Directory, "g", LookupReply(3, Other, nlink: 1, size: 1));

        cache.Invalidate(CacheInvalidation.Inode(Other));
        Assert.NotEqual(0, Lookup(cache, Directory, "f").Length);
        Assert.Equal(0, Lookup(cache, Directory, "g").Length);

        cache.Invalidate(CacheInvalidation.Entry(Directory, "x"u8));
        Assert.Equal(0, Lookup(cache, Directory, "f").Length);
    }

    [Fact]
    public void A_name_is_answered_only_for_a_file_the_home_counts_for_this_node()
    {
        var held = true;
        var cache = new ForwardingCache(TimeSpan.FromHours(1), node => node != File || held);
        Do(cache, FuseOpcode.Lookup, Directory, "f", LookupReply(2, File, nlink: 1, size: 42));

        held = false;

        Assert.Equal(0, Lookup(cache, Directory, "f").Length);
    }

    [Fact]
    public void An_unlink_by_this_node_forgets_every_name()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Lookup, Directory, "f", LookupReply(2, File, nlink: 1, size: 42));

        Do(cache, FuseOpcode.Unlink, Directory, "f", Ok(3));

        Assert.Equal(0, Lookup(cache, Directory, "f").Length);
        Assert.False(cache.Retainable(File));
    }

    [Fact]
    public void Only_files_with_known_attributes_and_links_are_worth_retaining()
    {
        var cache = new ForwardingCache(TimeSpan.FromHours(1), _ => true);
        Do(cache, FuseOpcode.Lookup, Directory, "f", LookupReply(2, File, nlink: 1, size: 42));
        Do(cache, FuseOpcode.Lookup, Directory, "g", LookupReply(3, Other, nlink: 0, size: 1));

        Assert.True(cache.Retainable(File));
        Assert.False(cache.Retainable(Other));
        Assert.False(cache.Retainable(99));
    }
}
