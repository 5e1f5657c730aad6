using Ssi.Cli.Tests.Local;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>
/// Strict coherency of the shared filesystem between two nodes of a real local cluster: a change
/// made on one node is seen by the very next operation on the other, also through caches the
/// reader's kernel already holds (dentries, attributes, pages of an open file, a mapping).
/// node1 is the home; node2 and node3 forward to it.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class FilesystemCoherencyTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    public static TheoryData<string, string> Pairs => new()
    {
        { "node2", "node3" }, // forwarding -> forwarding
        { "node1", "node3" }, // home -> forwarding
        { "node2", "node1" }, // forwarding -> home
    };

    private (FsDriver Writer, FsDriver Reader, string Dir) Open(string writer, string reader, string test)
    {
        var w = FsDriver.Start(cluster.Name, writer);
        var r = FsDriver.Start(cluster.Name, reader);
        var dir = $"/ssi/{test}-{writer}-{reader}-{Guid.NewGuid().ToString("N")[..6]}";
        w.Do(new { op = "mkdir", path = dir });
        return (w, r, dir);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Mkdir_and_create_are_visible_and_listed(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "create");
        using var _ = w;
        using var __ = r;
        Assert.Empty(r.Do(new { op = "listdir", path = dir }).GetProperty("names").EnumerateArray());
        Assert.False(r.Exists($"{dir}/sub"));

        w.Do(new { op = "mkdir", path = $"{dir}/sub" });
        w.Do(new { op = "write", path = $"{dir}/file", data = "hello" });

        Assert.True(r.Exists($"{dir}/sub"));
        Assert.Equal(["file", "sub"], r.Do(new { op = "listdir", path = dir }).GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("hello", r.Read($"{dir}/file"));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void An_overwrite_of_the_same_size_is_seen_on_reopen(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "overwrite");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "version-1" });
        Assert.Equal("version-1", r.Read($"{dir}/f"));

        w.Do(new { op = "write", path = $"{dir}/f", data = "version-2" });

        Assert.Equal("version-2", r.Read($"{dir}/f"));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void An_append_is_seen(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "append");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/log", data = "one\n" });
        Assert.Equal("one\n", r.Read($"{dir}/log"));

        w.Do(new { op = "append", path = $"{dir}/log", data = "two\n" });

        Assert.Equal("one\ntwo\n", r.Read($"{dir}/log"));
        Assert.Equal(8, r.Do(new { op = "stat", path = $"{dir}/log" }).GetProperty("size").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_write_is_seen_through_a_descriptor_that_was_already_open(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "openfd");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "aaaaaaaa" });
        r.Do(new { op = "open", path = $"{dir}/f", id = "r", flags = "O_RDONLY" });
        Assert.Equal("aaaaaaaa", r.Do(new { op = "pread", id = "r", size = 8 }).GetProperty("data").GetString());

        w.Do(new { op = "open", path = $"{dir}/f", id = "w", flags = "O_RDWR" });
        w.Do(new { op = "pwrite", id = "w", data = "bbbb", offset = 2 });

        Assert.Equal("aabbbbaa", r.Do(new { op = "pread", id = "r", size = 8 }).GetProperty("data").GetString());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_mapping_sees_a_remote_write(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "mmap");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/m", data = new string('1', 4096) });
        r.Do(new { op = "open", path = $"{dir}/m", id = "r", flags = "O_RDWR" });
        r.Do(new { op = "mmap", id = "r", size = 4096 });
        Assert.Equal("1111", r.Do(new { op = "mread", id = "r", size = 4, offset = 100 }).GetProperty("data").GetString());

        w.Do(new { op = "open", path = $"{dir}/m", id = "w", flags = "O_RDWR" });
        w.Do(new { op = "pwrite", id = "w", data = "2222", offset = 100 });

        Assert.Equal("2222", r.Do(new { op = "mread", id = "r", size = 4, offset = 100 }).GetProperty("data").GetString());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Unlink_and_rename_are_seen(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "names");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/gone", data = "x" });
        w.Do(new { op = "write", path = $"{dir}/old", data = "y" });
        Assert.Equal("x", r.Read($"{dir}/gone"));
        Assert.Equal("y", r.Read($"{dir}/old"));

        w.Do(new { op = "unlink", path = $"{dir}/gone" });
        w.Do(new { op = "rename", path = $"{dir}/old", to = $"{dir}/new" });

        Assert.False(r.Exists($"{dir}/gone"));
        Assert.False(r.Exists($"{dir}/old"));
        Assert.Equal("y", r.Read($"{dir}/new"));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Rename_over_a_file_and_rmdir_are_seen_through_descriptors_already_open(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "fstat");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/moved", data = "m" });
        w.Do(new { op = "write", path = $"{dir}/replaced", data = "r" });
        w.Do(new { op = "mkdir", path = $"{dir}/sub" });
        foreach (var id in new[] { "moved", "replaced", "sub" })
        {
            r.Do(new { op = "open", path = $"{dir}/{id}", id, flags = "O_RDONLY" });
        }

        var ctime = r.Do(new { op = "fstat", id = "moved" }).GetProperty("ctime_ns").GetInt64();
        Assert.Equal(1, r.Do(new { op = "fstat", id = "replaced" }).GetProperty("nlink").GetInt32());
        Assert.Equal(2, r.Do(new { op = "fstat", id = "sub" }).GetProperty("nlink").GetInt32());

        w.Do(new { op = "rename", path = $"{dir}/moved", to = $"{dir}/replaced" });
        w.Do(new { op = "rmdir", path = $"{dir}/sub" });

        Assert.NotEqual(ctime, r.Do(new { op = "fstat", id = "moved" }).GetProperty("ctime_ns").GetInt64());
        Assert.Equal(0, r.Do(new { op = "fstat", id = "replaced" }).GetProperty("nlink").GetInt32());
        Assert.Equal(0, r.Do(new { op = "fstat", id = "sub" }).GetProperty("nlink").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Appends_through_descriptors_kept_open_on_two_nodes_all_land_at_the_end(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "oappend");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/log", data = "" });
        w.Do(new { op = "open", path = $"{dir}/log", id = "a", flags = "O_WRONLY|O_APPEND" });
        r.Do(new { op = "open", path = $"{dir}/log", id = "a", flags = "O_WRONLY|O_APPEND" });

        foreach (var (node, line) in new[] { (w, "1\n"), (r, "2\n"), (w, "3\n"), (r, "4\n") })
        {
            node.Do(new { op = "fdwrite", id = "a", data = line });
        }

        Assert.Equal("1\n2\n3\n4\n", w.Read($"{dir}/log"));
        Assert.Equal("1\n2\n3\n4\n", r.Read($"{dir}/log"));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Chmod_is_seen(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "chmod");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "x" });
        Assert.Equal(0x81a4, r.Do(new { op = "stat", path = $"{dir}/f" }).GetProperty("mode").GetInt32());

        w.Do(new { op = "chmod", path = $"{dir}/f", mode = 0x180 });

        Assert.Equal(0x8180, r.Do(new { op = "stat", path = $"{dir}/f" }).GetProperty("mode").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Times_set_on_one_node_are_seen_by_a_node_that_had_them_cached(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "utime");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "x" });
        r.Do(new { op = "stat", path = $"{dir}/f" });

        w.Do(new { op = "utime", path = $"{dir}/f", mtime = 1_000_000_000_000L });

        Assert.Equal(1_000_000_000_000L, r.Do(new { op = "stat", path = $"{dir}/f" }).GetProperty("mtime").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_new_hard_link_is_seen_in_the_link_count(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "link");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "x" });
        Assert.Equal(1, r.Do(new { op = "stat", path = $"{dir}/f" }).GetProperty("nlink").GetInt32());

        w.Do(new { op = "link", path = $"{dir}/f", to = $"{dir}/g" });

        Assert.Equal(2, r.Do(new { op = "stat", path = $"{dir}/f" }).GetProperty("nlink").GetInt32());
        Assert.Equal("x", r.Read($"{dir}/g"));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void An_extended_attribute_set_on_one_node_is_seen_where_it_was_missing(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "xattr");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "x" });
        var missing = r.Try(new { op = "getxattr", path = $"{dir}/f", name = "user.color" });
        Assert.Equal(61, missing.GetProperty("errno").GetInt32()); // ENODATA

        w.Do(new { op = "setxattr", path = $"{dir}/f", name = "user.color", value = "blue" });

        Assert.Equal("blue", r.Do(new { op = "getxattr", path = $"{dir}/f", name = "user.color" }).GetProperty("value").GetString());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_file_made_in_a_directory_the_reader_made_is_seen_by_the_reader(string writer, string reader)
    {
        using var w = FsDriver.Start(cluster.Name, writer);
        using var r = FsDriver.Start(cluster.Name, reader);
        var dir = $"/ssi/readers-{writer}-{reader}-{Guid.NewGuid().ToString("N")[..6]}";
        r.Do(new { op = "mkdir", path = dir });
        Assert.False(r.Exists($"{dir}/f"));

        w.Do(new { op = "write", path = $"{dir}/f", data = "made elsewhere" });

        Assert.True(r.Exists($"{dir}/f"));
        Assert.Equal("made elsewhere", r.Read($"{dir}/f"));
        Assert.Equal(["f"], r.Do(new { op = "listdir", path = dir }).GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_file_of_several_mebibytes_reads_back_byte_for_byte_on_the_other_node(string writer, string reader)
    {
        var (w, r, dir) = Open(writer, reader, "big");
        using var _ = w;
        using var __ = r;

        w.Do(new { op = "fill", path = $"{dir}/big", size = (5 << 20) + 7, seed = 42 });

        Assert.Equal((5 << 20) + 7, r.Do(new { op = "stat", path = $"{dir}/big" }).GetProperty("size").GetInt32());
        Assert.Equal(
            w.Do(new { op = "sha256", path = $"{dir}/big" }).GetProperty("sha256").GetString(),
            r.Do(new { op = "sha256", path = $"{dir}/big" }).GetProperty("sha256").GetString());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_small_change_of_a_run_is_seen_by_the_next_operation_on_the_other_node(string writer, string reader)
    {
        // The home makes small changes on the link's own thread, and hands the reply to a worker only
        // when another node must hear of the change first: each step here is seen at once, whether the
        // reader held the file, the name or the directory before or not.
        var (w, r, dir) = Open(writer, reader, "run");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "0000" });
        r.Do(new { op = "open", path = $"{dir}/f", id = "r", flags = "O_RDONLY" });
        for (var i = 1; i <= 20; i++)
        {
            w.Do(new { op = "write", path = $"{dir}/f", data = $"{i:D4}" });
            Assert.Equal($"{i:D4}", r.Do(new { op = "pread", id = "r", size = 8 }).GetProperty("data").GetString());

            w.Do(new { op = "write", path = $"{dir}/new-{i}", data = "n" });
            Assert.True(r.Exists($"{dir}/new-{i}"));
            w.Do(new { op = "unlink", path = $"{dir}/new-{i}" });
            Assert.False(r.Exists($"{dir}/new-{i}"));
        }

        Assert.Equal(["f"], r.Do(new { op = "listdir", path = dir }).GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Changes_made_after_the_reader_dropped_its_caches_are_seen(string writer, string reader)
    {
        // A forwarding node keeps for a while what its kernel let go (counted at the home, which goes on
        // invalidating it) and answers lookups of it itself: what changed meanwhile must not come back.
        var (w, r, dir) = Open(writer, reader, "dropped");
        using var _ = w;
        using var __ = r;
        w.Do(new { op = "write", path = $"{dir}/f", data = "one" });
        w.Do(new { op = "write", path = $"{dir}/gone", data = "x" });
        w.Do(new { op = "write", path = $"{dir}/old", data = "y" });
        Assert.Equal("one", r.Read($"{dir}/f"));
        Assert.Equal("x", r.Read($"{dir}/gone"));
        Assert.Equal("y", r.Read($"{dir}/old"));

        DropCaches();
        w.Do(new { op = "write", path = $"{dir}/f", data = "two, longer" });
        w.Do(new { op = "chmod", path = $"{dir}/f", mode = 384 });
        w.Do(new { op = "unlink", path = $"{dir}/gone" });
        w.Do(new { op = "rename", path = $"{dir}/old", to = $"{dir}/new" });

        var stat = r.Do(new { op = "stat", path = $"{dir}/f" });
        Assert.Equal(11, stat.GetProperty("size").GetInt32());
        Assert.Equal(384, stat.GetProperty("mode").GetInt32() & 0xFFF);
        Assert.Equal("two, longer", r.Read($"{dir}/f"));
        Assert.False(r.Exists($"{dir}/gone"));
        Assert.False(r.Exists($"{dir}/old"));
        Assert.Equal("y", r.Read($"{dir}/new"));

        DropCaches();
        Assert.Equal("two, longer", r.Read($"{dir}/f"));
        Assert.Equal(["f", "new"], r.Do(new { op = "listdir", path = dir }).GetProperty("names").EnumerateArray().Select(n => n.GetString()).Order());
    }

    /// <summary>Every kernel of the machine (every node's) lets go of the dentries and inodes it does not use.</summary>
    private static void DropCaches() => File.WriteAllText("/proc/sys/vm/drop_caches", "2\n");
}
