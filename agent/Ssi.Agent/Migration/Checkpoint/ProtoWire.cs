using System.Buffers;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>One field of a protobuf message as it is on the wire: a varint, or the raw bytes of any other wire type.</summary>
internal readonly record struct ProtoField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Raw)
{
    public const int VarintType = 0;
    public const int Fixed64Type = 1;
    public const int LengthDelimitedType = 2;
    public const int Fixed32Type = 5;

    public static ProtoField Number32(int number, uint value) => new(number, VarintType, value, ReadOnlyMemory<byte>.Empty);

    public static ProtoField Varint64(int number, ulong value) => new(number, VarintType, value, ReadOnlyMemory<byte>.Empty);

    public static ProtoField Bytes(int number, ReadOnlyMemory<byte> value) => new(number, LengthDelimitedType, 0, value);
}

/// <summary>
/// The protobuf wire format, just enough to edit CRIU's images without their schema: split a
/// message into fields (unknown ones kept byte for byte) and write fields back.
/// </summary>
internal static class ProtoWire
{
    public static List<ProtoField> Parse(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var position = 0;
        var span = message.Span;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var number = checked((int)(key >> 3));
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case ProtoField.VarintType:
                    fields.Add(new ProtoField(number, wireType, ReadVarint(span, ref position), ReadOnlyMemory<byte>.Empty));
                    break;
                case ProtoField.Fixed64Type:
                    fields.Add(new ProtoField(number, wireType, 0, Slice(message, ref position, 8)));
                    break;
                case ProtoField.LengthDelimitedType:
                    var length = checked((int)ReadVarint(span, ref position));
                    fields.Add(new ProtoField(number, wireType, 0, Slice(message, ref position, length)));
                    break;
                case ProtoField.Fixed32Type:
                    fields.Add(new ProtoField(number, wireType, 0, Slice(message, ref position, 4)));
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType} of field {number} is not supported");
            }
        }

        return fields;
    }

    public static byte[] Write(IEnumerable<ProtoField> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var field in fields)
        {
            WriteVarint(buffer, ((ulong)field.Number << 3) | (uint)field.WireType);
            switch (field.WireType)
            {
                case ProtoField.VarintType:
                    WriteVarint(buffer, field.Varint);
                    break;
                case ProtoField.LengthDelimitedType:
                    WriteVarint(buffer, (ulong)field.Raw.Length);
                    buffer.Write(field.Raw.Span);
                    break;
                default:
                    buffer.Write(field.Raw.Span);
                    break;
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The value of the first varint field with this number, or null.</summary>
    public static ulong? Varint(IEnumerable<ProtoField> fields, int number) =>
        fields.Where(f => f.Number == number && f.WireType == ProtoField.VarintType).Select(f => (ulong?)f.Varint).FirstOrDefault();

    /// <summary>The bytes of the first length-delimited field with this number, or null.</summary>
    public static ReadOnlyMemory<byte>? Message(IEnumerable<ProtoField> fields, int number) =>
        fields.Where(f => f.Number == number && f.WireType == ProtoField.LengthDelimitedType).Select(f => (ReadOnlyMemory<byte>?)f.Raw).FirstOrDefault();

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> message, ref int position, int length)
    {
        if (length < 0 || position + length > message.Length)
        {
            throw new InvalidDataException("protobuf field runs past the end of its message");
        }

        var slice = message.Slice(position, length);
        position += length;
        return slice;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new InvalidDataException("protobuf varint runs past the end of its message");
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("protobuf varint longer than 10 bytes");
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        buffer.Advance(n);
    }
}
