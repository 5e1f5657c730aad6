using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>
/// The C library's environment of this process, which native code (OpenSSL, the runtime's native
/// parts) reads with getenv(3). .NET keeps its own copy for <see cref="Environment"/> and for the
/// processes it starts; changing one does not change the other.
/// </summary>
public static partial class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        if (setenv(name, value, 1) != 0)
        {
            throw NativeException.Last($"setenv {name}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
