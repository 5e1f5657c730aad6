using System.Buffers.Binary;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// A CRIU image file of protobuf entries: an 8-byte head (the common magic and the image's own;
/// inventory.img has only its own, 4 bytes), then entries, each a little-endian 32-bit length and
/// that many bytes of one message.
/// </summary>
internal sealed record CriuImage(ReadOnlyMemory<byte> Head, IReadOnlyList<ReadOnlyMemory<byte>> Entries)
{
    public const int HeadLength = 8;
    public const int InventoryHeadLength = 4;

    public static CriuImage Parse(ReadOnlyMemory<byte> file, int headLength = HeadLength)
    {
        if (file.Length < headLength)
        {
            throw new InvalidDataException($"a CRIU image of {file.Length} bytes has no head");
        }

        var entries = new List<ReadOnlyMemory<byte>>();
        var position = headLength;
        while (position < file.Length)
        {
            if (position + 4 > file.Length)
            {
                throw new InvalidDataException("a CRIU image ends inside an entry's length");
            }

            var length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(file.Span[position..]));
            position += 4;
            if (position + length > file.Length)
            {
                throw new InvalidDataException("a CRIU image ends inside an entry");
            }

            entries.Add(file.Slice(position, length));
            position += length;
        }

        return new CriuImage(file[..headLength], entries);
    }

    /// <summary>Puts <paramref name="content"/> in place of the image file at <paramref name="path"/> (written beside it, then renamed over it).</summary>
    public static void Replace(string path, byte[] content)
    {
        var temporary = path + ".new";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public byte[] ToBytes()
    {
        var result = new byte[Head.Length + Entries.Sum(e => 4 + e.Length)];
        Head.Span.CopyTo(result);
        var position = Head.Length;
        foreach (var entry in Entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(position), (uint)entry.Length);
            entry.Span.CopyTo(result.AsSpan(position + 4));
            position += 4 + entry.Length;
        }

        return result;
    }
}
