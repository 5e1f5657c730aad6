namespace Ssi.Agent.Filesystem;

/// <summary>A file system operation that failed with an errno, which goes back to the caller unchanged.</summary>
internal sealed class FsError : Exception
{
    public FsError()
        : this(Filesystem.Errno.EIO)
    {
    }

    public FsError(int errno)
        : base($"errno {errno}")
    {
        Errno = errno;
    }

    public FsError(string message)
        : base(message)
    {
        Errno = Filesystem.Errno.EIO;
    }

    public FsError(string message, Exception innerException)
        : base(message, innerException)
    {
        Errno = Filesystem.Errno.EIO;
    }

    public int Errno { get; }

    /// <summary>Returns <paramref name="result"/> when it is not negative, else throws its -errno.</summary>
    public static int Check(int result) => result >= 0 ? result : throw new FsError(-result);

    public static long Check(long result) => result >= 0 ? result : throw new FsError((int)-result);
}
