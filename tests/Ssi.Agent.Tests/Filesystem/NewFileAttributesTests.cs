using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Owner, group and mode of a new file, as Linux's inode_init_owner gives them.</summary>
public sealed class NewFileAttributesTests
{
    private const uint Regular = 0x8000;
    private const uint Dir = 0x4000;
    private const uint PlainDir = Dir | 0x1ff;        // drwxrwxrwx
    private const uint SetGidDir = Dir | 0x400 | 0x1ff; // drwxrwsrwx
    private static readonly CallerContext Nobody = new(65534, 65534, 1);

    [Theory]
    [InlineData(Regular | 0x1ff, 0x1ffu)]   // 0777 stays 0777: the caller's kernel already applied its umask
    [InlineData(Regular | 0x9ff, 0x9ffu)]   // 04777 keeps set-user-ID
    [InlineData(Regular | 0x180, 0x180u)]   // 0600
    [InlineData(Dir | 0x3ff, 0x3ffu)]       // 01777: sticky directory
    public void The_mode_is_kept_as_the_kernel_sent_it(uint mode, uint expected)
    {
        var made = NewFileAttributes.Decide(mode, PlainDir, 0, Nobody);

        Assert.Equal(new NewFileAttributes(65534, 65534, expected), made);
    }

    [Fact]
    public void In_a_set_group_id_directory_the_group_is_the_directorys_and_a_new_directory_inherits_the_bit()
    {
        var file = NewFileAttributes.Decide(Regular | 0x1a4, SetGidDir, 100, Nobody);
        var dir = NewFileAttributes.Decide(Dir | 0x1ed, SetGidDir, 100, Nobody);

        Assert.Equal(new NewFileAttributes(65534, 100, 0x1a4), file);
        Assert.Equal(new NewFileAttributes(65534, 100, 0x400 | 0x1ed), dir);
    }

    [Fact]
    public void A_caller_outside_the_directorys_group_loses_set_group_id_on_a_group_executable_file()
    {
        var made = NewFileAttributes.Decide(Regular | 0x400 | 0x1ed, SetGidDir, 100, Nobody);

        Assert.Equal(0x1edu, made.Mode);
    }

    [Theory]
    [InlineData(100u, null)]        // the caller's own group
    [InlineData(65534u, 100u)]      // a supplementary group the kernel named
    public void A_member_of_the_directorys_group_keeps_set_group_id(uint callerGid, uint? supplementary)
    {
        var caller = new CallerContext(65534, callerGid, 1) { SupplementaryGroup = supplementary };

        var made = NewFileAttributes.Decide(Regular | 0x400 | 0x1ed, SetGidDir, 100, caller);

        Assert.Equal(0x400u | 0x1ed, made.Mode);
    }

    [Fact]
    public void Root_keeps_set_group_id_anywhere()
    {
        var made = NewFileAttributes.Decide(Regular | 0x400 | 0x1ed, SetGidDir, 100, new CallerContext(0, 0, 1));

        Assert.Equal(new NewFileAttributes(0, 100, 0x400 | 0x1ed), made);
    }

    [Fact]
    public void Set_group_id_without_group_execute_is_kept_it_marks_mandatory_locking()
    {
        var made = NewFileAttributes.Decide(Regular | 0x400 | 0x1a4, SetGidDir, 100, Nobody);

        Assert.Equal(0x400u | 0x1a4, made.Mode);
    }
}
