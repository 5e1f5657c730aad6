using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>A failed system call, with its name and errno.</summary>
public sealed class NativeException : IOException
{
    public NativeException(string operation, int errno)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Operation = operation;
        Errno = errno;
    }

    public NativeException()
        : this("system call", 0)
    {
    }

    public NativeException(string message)
        : base(message)
    {
        Operation = "";
    }

    public NativeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "";
    }

    public string Operation { get; }

    public int Errno { get; }

    internal static NativeException Last(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
