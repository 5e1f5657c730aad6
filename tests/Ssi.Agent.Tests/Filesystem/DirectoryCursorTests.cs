using System.Buffers.Binary;
using System.Text;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

public sealed class DirectoryCursorTests
{
    /// <summary>A directory of <paramref name="count"/> names e0, e1, ...: entry i continues at offset (i + 1) * 100; getdents gives <paramref name="perBatch"/> at a time.</summary>
    private sealed class FakeDirectory(int count, int perBatch)
    {
        private int _next;

        public List<long> Seeks { get; } = [];

        public int Reads { get; private set; }

        public void Seek(long offset)
        {
            Seeks.Add(offset);
            _next = (int)(offset / 100);
        }

        public int Read(byte[] batch)
        {
            Reads++;
            var used = 0;
            for (var n = 0; n < perBatch && _next < count; n++, _next++)
            {
                var name = Encoding.ASCII.GetBytes($"e{_next}\0");
                var reclen = (19 + name.Length + 7) & ~7;
                BinaryPrimitives.WriteUInt64LittleEndian(batch.AsSpan(used), (ulong)(1000 + _next));
                BinaryPrimitives.WriteInt64LittleEndian(batch.AsSpan(used + 8), (_next + 1) * 100L);
                BinaryPrimitives.WriteUInt16LittleEndian(batch.AsSpan(used + 16), (ushort)reclen);
                batch[used + 18] = 8;
                name.CopyTo(batch, used + 19);
                used += reclen;
            }

            return used;
        }
    }

    private static List<string> List(DirectoryCursor cursor, FakeDirectory directory, long offset, int take)
    {
        var names = new List<string>();
        cursor.Read(offset, directory.Seek, directory.Read, entry =>
        {
            if (names.Count == take)
            {
                return false;
            }

            names.Add(Encoding.ASCII.GetString(entry.Name));
            return true;
        });
        return names;
    }

    [Fact]
    public void A_listing_in_small_replies_reads_each_batch_once_and_seeks_only_at_the_start()
    {
        var directory = new FakeDirectory(count: 10, perBatch: 4);
        using var cursor = new DirectoryCursor();

        Assert.Equal(["e0", "e1", "e2"], List(cursor, directory, 0, 3));
        Assert.Equal(["e3", "e4", "e5"], List(cursor, directory, 300, 3));
        Assert.Equal(["e6", "e7", "e8"], List(cursor, directory, 600, 3));
        Assert.Equal(["e9"], List(cursor, directory, 900, 3));
        Assert.Empty(List(cursor, directory, 1000, 3));

        Assert.Equal([0L], directory.Seeks);
        Assert.Equal(5, directory.Reads); // 4 + 4 + 2 entries, then the end (twice)
    }

    [Fact]
    public void Another_offset_or_a_rewind_seeks_and_drops_the_batch()
    {
        var directory = new FakeDirectory(count: 10, perBatch: 4);
        using var cursor = new DirectoryCursor();
        List(cursor, directory, 0, 3);

        Assert.Equal(["e7", "e8"], List(cursor, directory, 700, 2));
        Assert.Equal(["e0"], List(cursor, directory, 0, 1));

        Assert.Equal([0L, 700L, 0L], directory.Seeks);
    }

    [Fact]
    public void A_buffer_is_held_only_while_a_listing_is_under_way()
    {
        var directory = new FakeDirectory(count: 6, perBatch: 4);
        using var cursor = new DirectoryCursor();
        Assert.False(cursor.HoldsBatch); // opened, not listed

        List(cursor, directory, 0, 3);
        Assert.True(cursor.HoldsBatch);

        Assert.Equal(["e3", "e4", "e5"], List(cursor, directory, 300, 10));
        Assert.False(cursor.HoldsBatch); // at the end

        Assert.Empty(List(cursor, directory, 600, 10)); // asked again at the end: still the end, no seek
        Assert.Equal([0L], directory.Seeks);
    }

    [Fact]
    public void The_entry_a_reply_had_no_room_for_comes_first_in_the_next()
    {
        var directory = new FakeDirectory(count: 3, perBatch: 8);
        using var cursor = new DirectoryCursor();

        Assert.Equal(["e0"], List(cursor, directory, 0, 1));
        Assert.Equal(["e1", "e2"], List(cursor, directory, 100, 5));
    }
}
