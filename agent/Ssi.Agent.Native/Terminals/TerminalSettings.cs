namespace Ssi.Agent.Native.Terminals;

/// <summary>A terminal's settings (struct termios) as bytes: read from one terminal, given to another.</summary>
public static class TerminalSettings
{
    public const int Size = 60;
    private const int TCSANOW = 0;

    public static byte[]? Get(int fd)
    {
        var termios = new byte[Size];
        return LibC.tcgetattr(fd, ref termios[0]) == 0 ? termios : null;
    }

    public static void Set(int fd, byte[] termios)
    {
        ArgumentNullException.ThrowIfNull(termios);
        if (termios.Length != Size)
        {
            throw new ArgumentException($"termios must be {Size} bytes", nameof(termios));
        }

        if (LibC.tcsetattr(fd, TCSANOW, ref termios[0]) != 0)
        {
            throw NativeException.Last("tcsetattr");
        }
    }

    /// <summary>No echo, no line editing, no signals, no output processing: bytes pass through unchanged.</summary>
    public static void MakeRaw(int fd)
    {
        var termios = Get(fd) ?? throw NativeException.Last("tcgetattr");
        LibC.cfmakeraw(ref termios[0]);
        Set(fd, termios);
    }
}
