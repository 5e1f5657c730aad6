namespace Ssi.Agent.Native;

/// <summary>Probes of kernel facilities the agent depends on. Each returns whether it works and, if not, why.</summary>
public static class KernelFeatures
{
    private const int O_RDWR = 2;
    private const int O_NONBLOCK = 0x800;

    /// <summary>/dev/fuse can be opened (what a FUSE mount needs).</summary>
    public static (bool Available, string Reason) Fuse()
    {
        var fd = LibC.open("/dev/fuse", O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            return (false, NativeException.Last("open /dev/fuse").Message);
        }

        LibC.close(fd);
        return (true, "");
    }

    /// <summary>userfaultfd(2) works (CRIU lazy pages).</summary>
    public static (bool Available, string Reason) Userfaultfd()
    {
        var fd = LibC.Userfaultfd(LibC.O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
        {
            return (false, NativeException.Last("userfaultfd").Message);
        }

        LibC.close(fd);
        return (true, "");
    }

    public static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.VersionString;
        }
    }
}
