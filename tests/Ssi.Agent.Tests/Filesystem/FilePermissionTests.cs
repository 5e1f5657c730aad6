using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Local;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>The owner/group/other check of the opens the server judges itself.</summary>
public sealed class FilePermissionTests
{
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;
    private const int O_TRUNC = 0x200;

    private static NodeAttributes File(uint mode, uint uid, uint gid) => new(2, 0, 0, 0, 0, 0, 0, 0, 0, 0x8000 | mode, 1, uid, gid, 0, 4096);

    [Theory]
    [InlineData(0x180u, 1000u, 1000u, O_RDWR, true)]     // 0600, owner
    [InlineData(0x180u, 1001u, 1000u, O_RDONLY, false)]  // 0600, other
    [InlineData(0x1a4u, 1001u, 1000u, O_RDONLY, true)]   // 0644, other reads
    [InlineData(0x1a4u, 1001u, 1000u, O_WRONLY, false)]  // 0644, other writes
    [InlineData(0x1a4u, 1001u, 1000u, O_RDONLY | O_TRUNC, false)] // truncating is writing
    [InlineData(0x1b4u, 1001u, 1000u, O_RDWR, true)]     // 0664, group member by primary group
    [InlineData(0x0u, 0u, 0u, O_RDWR, true)]             // root
    [InlineData(0x1c0u, 1000u, 1000u, O_RDONLY, true)]   // 0700: owner bits win over others
    [InlineData(0x007u, 1000u, 1000u, O_RDONLY, false)]  // 0007: the owner is judged by the owner bits only
    public void The_callers_class_decides(uint mode, uint callerUid, uint callerGid, int flags, bool allowed)
    {
        var file = File(mode, 1000, 1000);

        Assert.Equal(allowed, FilePermission.Allows(file, new CallerContext(callerUid, callerGid, 1), flags));
    }
}
