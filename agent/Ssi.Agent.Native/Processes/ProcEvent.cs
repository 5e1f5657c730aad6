using System.Buffers.Binary;

namespace Ssi.Agent.Native.Processes;

/// <summary>A process event from the kernel's proc connector (fork, exec, exit).</summary>
public readonly record struct ProcEvent(ProcEventKind Kind, int Pid, int Tgid, int ParentPid, int ParentTgid, int ExitCode)
{
    private const int NetlinkHeader = 16;
    private const int ConnectorHeader = 20;
    private const int EventStart = NetlinkHeader + ConnectorHeader;
    private const int DataStart = EventStart + 16;
    private const uint CN_IDX_PROC = 1;

    /// <summary>Parses one netlink datagram from the proc connector; null for events the table does not use.</summary>
    public static ProcEvent? Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < DataStart + 8 || BinaryPrimitives.ReadUInt32LittleEndian(datagram[NetlinkHeader..]) != CN_IDX_PROC)
        {
            return null;
        }

        var what = BinaryPrimitives.ReadUInt32LittleEndian(datagram[EventStart..]);
        var data = datagram[DataStart..];
        return what switch
        {
            0x1 when data.Length >= 16 => new ProcEvent(ProcEventKind.Fork, At(data, 8), At(data, 12), At(data, 0), At(data, 4), 0),
            0x2 => new ProcEvent(ProcEventKind.Exec, At(data, 0), At(data, 4), 0, 0, 0),
            0x80000000 when data.Length >= 12 => new ProcEvent(ProcEventKind.Exit, At(data, 0), At(data, 4), 0, 0, At(data, 8)),
            _ => null,
        };
    }

    private static int At(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
}
