using System.Globalization;
using System.Text;

namespace Ssi.Agent.Native.Processes;

/// <summary>
/// One report of a workload's shim to its node's agent, one datagram of ASCII:
/// <c>ssi-shim/1 started SHIM_PID COMMAND_PID</c>, <c>ssi-shim/1 exited PID CODE SIGNAL</c> or
/// <c>ssi-shim/1 reaped PID CODE SIGNAL</c>. PIDs are the workload's own (its PID namespace's: the
/// shim is 1); CODE and SIGNAL are an <see cref="ExitStatus"/> (CODE is 128 + SIGNAL for a
/// process killed by a signal). The agent learns from the kernel which process sent it.
/// </summary>
public sealed record ShimReport(ShimReportKind Kind, int Pid, int ShimPid = 0, ExitStatus Status = default)
{
    public const string Version = "ssi-shim/1";

    /// <summary>Longest report (a datagram this size or longer is not one).</summary>
    public const int MaxLength = 96;

    public static ShimReport Started(int shimPid, int commandPid) => new(ShimReportKind.Started, commandPid, shimPid);

    public static ShimReport Exited(int pid, ExitStatus status) => new(ShimReportKind.Exited, pid, Status: status);

    public static ShimReport Reaped(int pid, ExitStatus status) => new(ShimReportKind.Reaped, pid, Status: status);

    public byte[] Encode() => Encoding.ASCII.GetBytes(Kind switch
    {
        ShimReportKind.Started => string.Create(CultureInfo.InvariantCulture, $"{Version} started {ShimPid} {Pid}"),
        ShimReportKind.Exited => string.Create(CultureInfo.InvariantCulture, $"{Version} exited {Pid} {Status.Code} {Status.Signal}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Version} reaped {Pid} {Status.Code} {Status.Signal}"),
    });

    /// <summary>The report in <paramref name="datagram"/>, or null when it is not one (garbled, truncated, out of range, another version).</summary>
    public static ShimReport? Decode(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length >= MaxLength)
        {
            return null;
        }

        foreach (var b in datagram)
        {
            if (b is < 0x20 or > 0x7e)
            {
                return null;
            }
        }

        var fields = Encoding.ASCII.GetString(datagram).Split(' ');
        if (fields.Length < 2 || fields[0] != Version)
        {
            return null;
        }

        return (fields[1], fields.Length) switch
        {
            ("started", 4) when ParsePid(fields[2]) is { } shim && ParsePid(fields[3]) is { } command => Started(shim, command),
            ("exited", 5) when ParsePid(fields[2]) is { } pid && ParseStatus(fields[3], fields[4]) is { } status => Exited(pid, status),
            ("reaped", 5) when ParsePid(fields[2]) is { } pid && ParseStatus(fields[3], fields[4]) is { } status => Reaped(pid, status),
            _ => null,
        };
    }

    private static int? ParsePid(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid is > 0 and <= 4_194_304 ? pid : null;

    private static ExitStatus? ParseStatus(string code, string signal) =>
        int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 255
        && int.TryParse(signal, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 64
            ? new ExitStatus(c, s)
            : null;
}
