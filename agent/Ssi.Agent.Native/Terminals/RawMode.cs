namespace Ssi.Agent.Native.Terminals;

/// <summary>Puts a terminal in raw mode for the lifetime of the object, and restores it.</summary>
public sealed class RawMode : IDisposable
{
    private const int TermiosSize = 60;
    private const int TCSANOW = 0;
    private readonly int _fd;
    private readonly byte[] _saved = new byte[TermiosSize];
    private bool _restored;

    private RawMode(int fd)
    {
        _fd = fd;
    }

    /// <summary>Raw mode on <paramref name="fd"/>, or null when it is not a terminal.</summary>
    public static RawMode? Enter(int fd)
    {
        var mode = new RawMode(fd);
        if (LibC.tcgetattr(fd, ref mode._saved[0]) != 0)
        {
            return null;
        }

        var raw = (byte[])mode._saved.Clone();
        LibC.cfmakeraw(ref raw[0]);
        return LibC.tcsetattr(fd, TCSANOW, ref raw[0]) == 0 ? mode : null;
    }

    public void Dispose()
    {
        if (!_restored)
        {
            _restored = true;
            LibC.tcsetattr(_fd, TCSANOW, ref _saved[0]);
        }
    }
}
