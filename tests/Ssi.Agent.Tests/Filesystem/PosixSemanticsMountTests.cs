using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>
/// POSIX details that pjdfstest found different from ext4, through a real FUSE mount, with callers
/// of other uids and umask 0 (as pjdfstest runs them): the agent itself is root with umask 022.
/// </summary>
public sealed class PosixSemanticsMountTests
{
    private const ulong Root = 1;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;

    /// <summary>A mount that other users can reach (the temporary directory above it is 0700).</summary>
    private static async Task<MountedFileSystem> StartAsync()
    {
        var fs = await MountedFileSystem.StartAsync();
        File.SetUnixFileMode(fs.Root, (UnixFileMode)0x1ed);
        return fs;
    }

    [Fact]
    public async Task Files_directories_and_nodes_get_exactly_the_mode_asked_not_the_agents_umask()
    {
        using var fs = await StartAsync();

        var modes = await PythonScript.RunAsync($$"""
            d = "{{fs.Mount}}"
            os.chmod(d, 0o777)
            def make():
                create(d + "/file", 0o666)
                os.mkdir(d + "/dir", 0o777)
                os.mkfifo(d + "/fifo", 0o662)
                os.mknod(d + "/node", 0o646 | stat.S_IFREG)
                create(d + "/suid", 0o4777)
                os.mkdir(d + "/sticky", 0o1777)
            as_user(65534, 65534, make)
            for n in ["file", "dir", "fifo", "node", "suid", "sticky"]:
                s = os.lstat(d + "/" + n)
                print("%s %o %d %d" % (n, stat.S_IMODE(s.st_mode), s.st_uid, s.st_gid))
            """);

        Assert.Equal(
            ["file 666 65534 65534", "dir 777 65534 65534", "fifo 662 65534 65534", "node 646 65534 65534", "suid 4777 65534 65534", "sticky 1777 65534 65534"],
            modes);
    }

    [Fact]
    public async Task In_a_set_group_id_directory_new_files_take_its_group_and_new_directories_its_bit()
    {
        using var fs = await StartAsync();

        var made = await PythonScript.RunAsync($$"""
            d = "{{fs.Mount}}/shared"
            os.mkdir(d)
            os.chown(d, 0, 4242)
            os.chmod(d, 0o2777)
            def make():
                create(d + "/file", 0o644)
                os.mkdir(d + "/sub", 0o755)
                create(d + "/exe", 0o2755)
                os.symlink("file", d + "/link")
            as_user(65534, 65534, make)
            for n in ["file", "sub", "exe", "link"]:
                s = os.lstat(d + "/" + n)
                print("%s %o %d" % (n, stat.S_IMODE(s.st_mode), s.st_gid))
            """);

        // exe: set-group-ID dropped, the caller is not in group 4242 (as on ext4).
        Assert.Equal(["file 644 4242", "sub 2755 4242", "exe 755 4242", "link 777 4242"], made);
    }

    [Fact]
    public async Task A_member_through_a_supplementary_group_keeps_set_group_id_on_a_new_executable()
    {
        using var fs = await StartAsync();

        var made = await PythonScript.RunAsync($$"""
            d = "{{fs.Mount}}/shared"
            os.mkdir(d)
            os.chown(d, 0, 4242)
            os.chmod(d, 0o2777)
            as_user(65534, 65534, lambda: create(d + "/exe", 0o2755), groups=[65534, 4242])
            print("%o" % stat.S_IMODE(os.stat(d + "/exe").st_mode))
            """);

        Assert.Equal(["2755"], made);
    }

    [Fact]
    public async Task Chown_to_minus_one_minus_one_updates_the_change_time_as_on_ext4()
    {
        using var fs = await StartAsync();

        var changed = await PythonScript.RunAsync($$"""
            p = "{{fs["f"]}}"
            create(p, 0o644)
            before = os.stat(p).st_ctime_ns
            time.sleep(0.05)
            os.chown(p, -1, -1)
            print(os.stat(p).st_ctime_ns > before)
            """);

        Assert.Equal(["True"], changed);
    }

    [Fact]
    public async Task A_write_by_a_user_who_is_not_the_owner_clears_set_user_id_and_set_group_id()
    {
        using var fs = await StartAsync();

        var modes = await PythonScript.RunAsync($$"""
            p = "{{fs["f"]}}"
            create(p, 0o644)
            os.chmod(p, 0o6777)
            def write():
                fd = os.open(p, os.O_WRONLY)
                os.write(fd, b"x")
                print("%o" % stat.S_IMODE(os.fstat(fd).st_mode))
                os.close(fd)
            as_user(65534, 65534, write)
            print("%o" % stat.S_IMODE(os.stat(p).st_mode))
            """);

        Assert.Equal(["777", "777"], modes);
    }

    [Fact]
    public async Task An_unnamed_O_TMPFILE_file_is_written_then_linked_into_the_tree_with_the_callers_owner_and_mode()
    {
        using var fs = await StartAsync();

        var made = await PythonScript.RunAsync($$"""
            import ctypes
            d = "{{fs.Mount}}"
            os.chmod(d, 0o777)
            def make():
                fd = os.open(d, os.O_TMPFILE | os.O_RDWR, 0o640)
                os.write(fd, b"unnamed until now")
                print(sorted(os.listdir(d)))
                libc = ctypes.CDLL(None, use_errno=True)  # linkat(AT_FDCWD, /proc/self/fd/N, AT_FDCWD, name, AT_SYMLINK_FOLLOW)
                assert libc.linkat(-100, b"/proc/self/fd/%d" % fd, -100, (d + "/named").encode(), 0x400) == 0, os.strerror(ctypes.get_errno())
                os.close(fd)
            as_user(65534, 65534, make)
            s = os.stat(d + "/named")
            print("%o %d %d %d" % (stat.S_IMODE(s.st_mode), s.st_uid, s.st_nlink, s.st_size))
            print(open(d + "/named").read())
            """);

        Assert.Equal(["[]", "640 65534 1 17", "unnamed until now"], made);
    }

    [Fact]
    public async Task A_POSIX_ACL_is_refused_rather_than_stored_and_not_enforced()
    {
        using var fs = await StartAsync();

        var answers = await PythonScript.RunAsync($$"""
            import struct
            p = "{{fs["f"]}}"
            create(p, 0o666)
            # user::rw- user:65534:--- group::rw- mask::rw- other::rw-
            acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, perm, i) for t, perm, i in
                [(0x01, 6, 0xffffffff), (0x02, 0, 65534), (0x04, 6, 0xffffffff), (0x10, 6, 0xffffffff), (0x20, 6, 0xffffffff)])
            for name in ["system.posix_acl_access", "system.posix_acl_default"]:
                try:
                    os.setxattr(p if name.endswith("access") else "{{fs.Mount}}", name, acl)
                    print("stored")
                except OSError as e:
                    print(e.errno)
            """);

        Assert.Equal(["95", "95"], answers); // EOPNOTSUPP
    }

    [Fact]
    public async Task ACLs_and_SELinux_labels_are_unsupported_for_every_call_and_hidden_from_lists()
    {
        using var fs = await StartAsync();
        var backing = Path.Combine(fs.Backing, "labelled");
        await File.WriteAllTextAsync(backing, "x");

        var answers = await PythonScript.RunAsync($$"""
            # A backing file may carry a label (copied from another machine): the mount does not show it.
            os.setxattr("{{backing}}", "security.selinux", b"system_u:object_r:etc_t:s0\0")
            os.setxattr("{{backing}}", "user.kept", b"1")
            p = "{{fs["labelled"]}}"
            import struct
            # user::rw- group::r-- other::r-- (the kernel parses an ACL before the filesystem sees it)
            acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, perm, 0xffffffff) for t, perm in [(0x01, 6), (0x04, 4), (0x20, 4)])
            for name, value in [("system.posix_acl_access", acl), ("system.posix_acl_default", acl), ("security.selinux", b"unconfined_u:object_r:user_home_t:s0")]:
                target = p if name != "system.posix_acl_default" else os.path.dirname(p)
                for call in [lambda: os.getxattr(target, name), lambda: os.setxattr(target, name, value), lambda: os.removexattr(target, name)]:
                    try:
                        call()
                        print("answered")
                    except OSError as e:
                        print(e.errno)
            print(",".join(sorted(os.listxattr(p))))
            print(os.getxattr(p, "user.kept").decode())
            """);

        Assert.Equal([.. Enumerable.Repeat("95", 9), "user.kept", "1"], answers); // EOPNOTSUPP
    }

    [Theory]
    [InlineData(0x1b6u, 0)]              // 0666: the open succeeds
    [InlineData(0x180u, Errno.EACCES)]   // 0600 and not the owner: refused
    public async Task A_create_of_a_name_another_node_made_meanwhile_opens_that_file_and_keeps_its_owner(uint mode, int errno)
    {
        using var fs = await StartAsync();
        var path = Path.Combine(fs.Backing, "raced");
        await File.WriteAllTextAsync(path, "theirs");
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var nobody = new CallerContext(65534, 65534, 1);

        if (errno != 0)
        {
            Assert.Equal(errno, Assert.Throws<FsError>(() => fs.FileSystem.Create(Root, "raced"u8, O_RDWR | O_CREAT, 0x81a4, nobody)).Errno);
        }
        else
        {
            var (entry, file) = fs.FileSystem.Create(Root, "raced"u8, O_RDWR | O_CREAT, 0x81a4, nobody);
            fs.FileSystem.Release(entry.NodeId, file.Handle);
            fs.FileSystem.Forget(entry.NodeId, 1);
            Assert.Equal(0u, entry.Attributes.Uid);
            Assert.Equal(0x81b6u, entry.Attributes.Mode);
        }

        Assert.Equal("theirs", await File.ReadAllTextAsync(path));
        Assert.Equal((UnixFileMode)mode, File.GetUnixFileMode(path));
    }
}
