using System.Text;

namespace Ssi.Agent.Native.Terminals;

/// <summary>Pseudo-terminals: open a master, find its slave, set the window size.</summary>
public static class Pty
{
    private const int O_NOCTTY = 0x100;
    private const nuint TIOCGWINSZ = 0x5413;
    private const nuint TIOCSWINSZ = 0x5414;

    /// <summary>Opens a new pty master (close-on-exec); returns it and the path of its slave.</summary>
    public static (int Master, string SlavePath) Open()
    {
        var master = LibC.posix_openpt(2 /* O_RDWR */ | O_NOCTTY | LibC.O_CLOEXEC);
        if (master < 0)
        {
            throw NativeException.Last("posix_openpt");
        }

        try
        {
            if (LibC.grantpt(master) != 0)
            {
                throw NativeException.Last("grantpt");
            }

            if (LibC.unlockpt(master) != 0)
            {
                throw NativeException.Last("unlockpt");
            }

            Span<byte> name = stackalloc byte[128];
            var error = LibC.ptsname_r(master, ref name[0], (nuint)name.Length);
            if (error != 0)
            {
                throw new NativeException("ptsname_r", error);
            }

            return (master, Encoding.UTF8.GetString(name[..name.IndexOf((byte)0)]));
        }
        catch
        {
            LibC.close(master);
            throw;
        }
    }

    public static void SetWindowSize(int fd, ushort rows, ushort columns)
    {
        Span<byte> size = stackalloc byte[8];
        BitConverter.TryWriteBytes(size, rows);
        BitConverter.TryWriteBytes(size[2..], columns);
        if (LibC.ioctl(fd, TIOCSWINSZ, ref size[0]) != 0)
        {
            throw NativeException.Last("ioctl TIOCSWINSZ");
        }
    }

    /// <summary>The window size of the terminal on <paramref name="fd"/>, or null when it is not a terminal.</summary>
    public static (ushort Rows, ushort Columns)? GetWindowSize(int fd)
    {
        Span<byte> size = stackalloc byte[8];
        return LibC.ioctl(fd, TIOCGWINSZ, ref size[0]) != 0
            ? null
            : (BitConverter.ToUInt16(size), BitConverter.ToUInt16(size[2..]));
    }

    public static bool IsTerminal(int fd) => LibC.isatty(fd) == 1;
}
