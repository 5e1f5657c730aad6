using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>POSIX operations through a real FUSE mount served by the home-node filesystem.</summary>
public sealed class LocalFileSystemMountTests
{
    [Fact]
    public async Task Files_are_created_written_read_and_land_in_the_backing_directory()
    {
        using var fs = await MountedFileSystem.StartAsync();

        await File.WriteAllTextAsync(fs["hello.txt"], "hello, cluster");

        Assert.Equal("hello, cluster", await File.ReadAllTextAsync(fs["hello.txt"]));
        Assert.Equal("hello, cluster", await File.ReadAllTextAsync(Path.Combine(fs.Backing, "hello.txt")));
    }

    [Fact]
    public async Task With_passthrough_the_kernel_reads_and_writes_the_backing_file()
    {
        using var fs = await MountedFileSystem.StartAsync(passthrough: true);

        await File.WriteAllTextAsync(fs["through.txt"], "passed through");

        Assert.True(fs.Session.Passthrough);
        Assert.Equal("passed through", await File.ReadAllTextAsync(fs["through.txt"]));
        Assert.Equal("passed through", await File.ReadAllTextAsync(Path.Combine(fs.Backing, "through.txt")));
    }

    [Fact]
    public async Task With_passthrough_opens_that_overlap_and_reopens_after_closes_all_succeed()
    {
        // Every passthrough open of an inode must name the same backing file, and a cached open must
        // never meet a passthrough one: either mistake fails an open with EIO.
        using var fs = await MountedFileSystem.StartAsync(passthrough: true);
        await File.WriteAllTextAsync(fs["shared.txt"], "0123456789");

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                using var writer = new FileStream(fs["shared.txt"], FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                using var reader = new FileStream(fs["shared.txt"], FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                writer.Position = (w + i) % 10;
                writer.WriteByte((byte)'x');
                writer.Flush();
                Assert.Equal(10, reader.Read(new byte[16], 0, 16));
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.True(fs.Session.Passthrough);
        Assert.Equal(10, (await File.ReadAllTextAsync(fs["shared.txt"])).Length);
    }

    [Fact]
    public async Task A_large_file_round_trips_byte_for_byte()
    {
        using var fs = await MountedFileSystem.StartAsync(passthrough: false);
        var data = RandomNumberGenerator.GetBytes(9 * 1024 * 1024 + 123);

        await File.WriteAllBytesAsync(fs["big.bin"], data);

        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(fs["big.bin"])));
        Assert.Equal(data.Length, new FileInfo(fs["big.bin"]).Length);
    }

    [Fact]
    public async Task Directories_list_create_and_remove()
    {
        using var fs = await MountedFileSystem.StartAsync();
        Directory.CreateDirectory(fs["a/b/c"]);
        for (var i = 0; i < 300; i++)
        {
            await File.WriteAllTextAsync(fs[$"a/f{i:D3}"], "x");
        }

        var names = Directory.GetFileSystemEntries(fs["a"]).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(301, names.Count);
        Assert.Contains("b", names);
        Assert.Throws<IOException>(() => Directory.Delete(fs["a/b"]));
        Directory.Delete(fs["a/b/c"]);
        Directory.Delete(fs["a/b"]);
        Assert.False(Directory.Exists(fs["a/b"]));
    }

    [Fact]
    public async Task Rename_unlink_symlink_and_hard_link()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllTextAsync(fs["one"], "1");

        File.Move(fs["one"], fs["two"]);
        File.CreateSymbolicLink(fs["link"], "two");
        using (var ln = System.Diagnostics.Process.Start("ln", [fs["two"], fs["hard"]]))
        {
            await ln.WaitForExitAsync();
            Assert.Equal(0, ln.ExitCode);
        }

        Assert.False(File.Exists(fs["one"]));
        Assert.Equal("two", new FileInfo(fs["link"]).LinkTarget);
        Assert.Equal("1", await File.ReadAllTextAsync(fs["link"]));
        Assert.Equal("1", await File.ReadAllTextAsync(fs["hard"]));
        File.Delete(fs["two"]);
        Assert.Equal("1", await File.ReadAllTextAsync(fs["hard"]));
        await Assert.ThrowsAsync<FileNotFoundException>(() => File.ReadAllTextAsync(fs["link"])); // dangling now
    }

    [Fact]
    public async Task Rename_noreplace_refuses_to_overwrite()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllTextAsync(fs["a"], "a");
        await File.WriteAllTextAsync(fs["b"], "b");

        Assert.Throws<IOException>(() => File.Move(fs["a"], fs["b"], overwrite: false));
        File.Move(fs["a"], fs["b"], overwrite: true);

        Assert.Equal("a", await File.ReadAllTextAsync(fs["b"]));
    }

    [Fact]
    public async Task Chmod_truncate_and_times()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllTextAsync(fs["f"], "0123456789");

        File.SetUnixFileMode(fs["f"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using (var stream = new FileStream(fs["f"], FileMode.Open))
        {
            stream.SetLength(4);
        }

        var when = new DateTime(2020, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(fs["f"], when);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(fs["f"]));
        Assert.Equal("0123", await File.ReadAllTextAsync(fs["f"]));
        Assert.Equal(when, File.GetLastWriteTimeUtc(fs["f"]));
        Assert.Equal(when, File.GetLastWriteTimeUtc(Path.Combine(fs.Backing, "f")));
    }

    [Fact]
    public async Task Append_and_positional_writes_from_two_handles()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllTextAsync(fs["log"], "start\n");

        await File.AppendAllTextAsync(fs["log"], "one\n");
        await File.AppendAllTextAsync(fs["log"], "two\n");
        using (var stream = new FileStream(fs["log"], FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 0;
            stream.Write("S"u8);
        }

        Assert.Equal("Start\none\ntwo\n", await File.ReadAllTextAsync(fs["log"]));
    }

    [Fact]
    public async Task O_DIRECT_reads_work()
    {
        using var fs = await MountedFileSystem.StartAsync(passthrough: false);
        var data = RandomNumberGenerator.GetBytes(64 * 1024);
        await File.WriteAllBytesAsync(fs["direct"], data);

        var read = ReadDirect(fs["direct"], 4096, 8192);

        Assert.Equal(data.AsSpan(4096, 8192).ToArray(), read);
    }

    /// <summary>An O_DIRECT pread into a page-aligned buffer, as databases do.</summary>
    private static unsafe byte[] ReadDirect(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, (FileOptions)0x4000 /* O_DIRECT */);
        var buffer = System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)length, 4096);
        try
        {
            var span = new Span<byte>(buffer, length);
            Assert.Equal(length, RandomAccess.Read(handle, span, offset));
            return span.ToArray();
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
        }
    }

    [Fact]
    public async Task Mmap_reads_and_writes_through_the_mount()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllBytesAsync(fs["m"], new byte[8192]);

        using (var map = MemoryMappedFile.CreateFromFile(fs["m"], FileMode.Open, null, 8192))
        using (var view = map.CreateViewAccessor())
        {
            view.Write(100, (byte)42);
            view.Flush();
        }

        Assert.Equal(42, (await File.ReadAllBytesAsync(fs["m"]))[100]);
    }

    [Fact]
    public async Task Extended_attributes_are_set_read_listed_and_removed()
    {
        using var fs = await MountedFileSystem.StartAsync();
        await File.WriteAllTextAsync(fs["x"], "x");
        var script = $$"""
            import os
            p = "{{fs["x"]}}"
            os.setxattr(p, "user.color", b"blue")
            print(os.getxattr(p, "user.color").decode())
            print(",".join(sorted(os.listxattr(p))))
            os.removexattr(p, "user.color")
            print(len(os.listxattr(p)))
            try:
                os.getxattr(p, "user.color")
            except OSError as e:
                print(e.errno)
            """;

        var output = await PythonScript.RunAsync(script);

        Assert.Equal(["blue", "user.color", "0", "61"], output);
    }

    [Fact]
    public async Task Creating_and_removing_many_files_holds_no_descriptor_for_them_afterwards()
    {
        using var fs = await MountedFileSystem.StartAsync();
        var before = fs.FileSystem.InodeCount;
        for (var i = 0; i < 500; i++)
        {
            await File.WriteAllTextAsync(fs[$"tmp{i}"], "x");
            File.Delete(fs[$"tmp{i}"]);
        }

        // The kernel forgets unlinked inodes at once; nothing of them may stay in the table.
        for (var i = 0; i < 100 && fs.FileSystem.InodeCount > before; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(before, fs.FileSystem.InodeCount);
    }

    [Fact]
    public async Task Statfs_reports_the_backing_filesystem()
    {
        using var fs = await MountedFileSystem.StartAsync();

        var drive = new DriveInfo(fs.Mount);

        Assert.True(drive.TotalSize > 0);
        Assert.True(drive.AvailableFreeSpace > 0);
    }

    [Fact]
    public async Task Files_are_created_with_the_callers_mode_and_contents_of_non_ascii_names_survive()
    {
        using var fs = await MountedFileSystem.StartAsync();
        var name = "grüße, 世界 and spaces.txt";

        await File.WriteAllTextAsync(fs[name], "ü", Encoding.UTF8);

        Assert.Contains(name, Directory.GetFiles(fs.Mount).Select(Path.GetFileName));
        Assert.Equal("ü", await File.ReadAllTextAsync(fs[name]));
    }
}
