using System.Buffers.Binary;
using System.Text;

namespace Ssi.Agent.Native.Processes;

/// <summary>A socket path as a <c>struct sockaddr_un</c>.</summary>
internal static class ShimReportAddress
{
    /// <summary>sun_family and sun_path[108].</summary>
    public const int Size = 110;

    /// <summary>Fills <paramref name="address"/> (<see cref="Size"/> bytes); returns the length to pass to the kernel.</summary>
    public static int Write(string path, Span<byte> address)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (length is 0 or > 107)
        {
            throw new ArgumentException($"a unix socket path must have 1 to 107 bytes: {path}", nameof(path));
        }

        address.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(address, LibC.AF_UNIX);
        Encoding.UTF8.GetBytes(path, address[2..]);
        return 2 + length + 1;
    }
}
