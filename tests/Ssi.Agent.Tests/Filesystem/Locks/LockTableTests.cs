using Ssi.Agent.Filesystem.Locks;

namespace Ssi.Agent.Tests.Filesystem.Locks;

/// <summary>The pure lock table: POSIX ranges (merge, split), owners, kinds and conflicts.</summary>
public sealed class LockTableTests
{
    private const ulong Inode = 42;
    private static readonly LockOwner A = new(2, 100);
    private static readonly LockOwner B = new(3, 100); // the same owner id from another node's kernel

    private static FileLock Posix(LockOwner owner, LockType type, long start, long end, uint pid = 7) =>
        new(owner, LockKind.Posix, type, start, end, pid);

    private static (long Start, long End, LockType Type)[] Ranges(LockTable table) =>
        [.. table.Locks(Inode).Select(l => (l.Start, l.End, l.Type))];

    [Fact]
    public void Adjacent_and_overlapping_ranges_of_one_owner_and_type_merge()
    {
        var table = new LockTable();

        table.Apply(Inode, Posix(A, LockType.Write, 0, 9));
        table.Apply(Inode, Posix(A, LockType.Write, 10, 19));
        table.Apply(Inode, Posix(A, LockType.Write, 15, 29));

        Assert.Equal([(0L, 29L, LockType.Write)], Ranges(table));
    }

    [Fact]
    public void Unlocking_the_middle_of_a_range_splits_it()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 99));

        table.Apply(Inode, Posix(A, LockType.Unlock, 40, 59));

        Assert.Equal([(0L, 39L, LockType.Read), (60L, 99L, LockType.Read)], Ranges(table));
    }

    [Fact]
    public void Another_type_over_part_of_a_range_replaces_that_part_only()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 99));

        table.Apply(Inode, Posix(A, LockType.Write, 50, FileLock.ToEnd));

        Assert.Equal([(0L, 49L, LockType.Read), (50L, FileLock.ToEnd, LockType.Write)], Ranges(table));
    }

    [Fact]
    public void Ranges_of_another_type_that_only_touch_do_not_merge()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 9));

        table.Apply(Inode, Posix(A, LockType.Write, 10, 19));

        Assert.Equal([(0L, 9L, LockType.Read), (10L, 19L, LockType.Write)], Ranges(table));
    }

    [Fact]
    public void Unlocking_everything_leaves_the_table_empty()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Write, 5, 9));
        table.Apply(Inode, Posix(A, LockType.Read, 20, 29));

        table.Apply(Inode, Posix(A, LockType.Unlock, 0, FileLock.ToEnd));

        Assert.Empty(table.Locks(Inode));
        Assert.True(table.IsEmpty);
    }

    [Fact]
    public void Readers_share_and_a_writer_conflicts_with_either()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 99));

        Assert.Null(table.Conflict(Inode, Posix(B, LockType.Read, 50, 150)));
        Assert.Equal(A, table.Conflict(Inode, Posix(B, LockType.Write, 99, 99))?.Owner);
        Assert.Null(table.Conflict(Inode, Posix(B, LockType.Write, 100, 200)));
    }

    [Fact]
    public void An_owner_never_conflicts_with_itself_and_may_upgrade()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 99));

        Assert.Null(table.Conflict(Inode, Posix(A, LockType.Write, 0, 99)));
    }

    [Fact]
    public void The_same_owner_id_from_two_nodes_is_two_owners()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Write, 0, 0));

        var conflict = table.Conflict(Inode, Posix(B, LockType.Write, 0, 0));

        Assert.Equal(A, conflict?.Owner);
        Assert.Equal(7u, conflict?.Pid);
    }

    [Fact]
    public void Posix_locks_and_flocks_do_not_see_each_other()
    {
        var table = new LockTable();
        table.Apply(Inode, FileLock.Flock(A, LockType.Write, 1));

        Assert.Null(table.Conflict(Inode, Posix(B, LockType.Write, 0, FileLock.ToEnd)));
        Assert.NotNull(table.Conflict(Inode, FileLock.Flock(B, LockType.Read, 2)));
    }

    [Fact]
    public void Locks_on_other_inodes_do_not_conflict()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Write, 0, FileLock.ToEnd));

        Assert.Null(table.Conflict(Inode + 1, Posix(B, LockType.Write, 0, FileLock.ToEnd)));
    }

    [Fact]
    public void Removing_an_owner_keeps_the_others_and_the_other_kind()
    {
        var table = new LockTable();
        table.Apply(Inode, Posix(A, LockType.Read, 0, 9));
        table.Apply(Inode, Posix(B, LockType.Read, 0, 9));
        table.Apply(Inode, FileLock.Flock(A, LockType.Write, 1));

        Assert.True(table.RemoveOwner(Inode, A, LockKind.Posix));
        Assert.False(table.RemoveOwner(Inode, A, LockKind.Posix));

        Assert.Equal([B, A], table.Locks(Inode).OrderBy(l => l.Kind).Select(l => l.Owner));
    }

    [Fact]
    public void Removing_a_node_drops_all_its_owners_on_all_inodes()
    {
        var table = new LockTable();
        table.Apply(1, Posix(A, LockType.Write, 0, 0));
        table.Apply(2, Posix(A with { Id = 5 }, LockType.Write, 0, 0));
        table.Apply(2, Posix(B, LockType.Write, 10, 10));

        var changed = table.RemoveNode(A.Node);

        Assert.Equal([1UL, 2UL], changed.Order());
        Assert.Empty(table.Locks(1));
        Assert.Equal(B, Assert.Single(table.Locks(2)).Owner);
    }
}
