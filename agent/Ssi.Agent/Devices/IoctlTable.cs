using System.Collections.Frozen;
using System.Globalization;

namespace Ssi.Agent.Devices;

/// <summary>
/// The ioctl commands remote device files carry, and their argument layouts (x86-64). Commands
/// that encode direction and size in their number are described by the number itself; the others
/// (the terminal family from before that convention, and _IO commands that take a value) must be
/// listed here. Anything else is unknown and refused: guessing a pointer for a value (or the size
/// behind a pointer) would read or write the wrong memory.
/// </summary>
internal static class IoctlTable
{
    /// <summary>The largest argument any command may move (_IOC_SIZE has 14 bits).</summary>
    public const int MaxSize = (1 << 14) - 1;

    private const int TermiosSize = 36;    // struct termios (kernel): 4 flags, c_line, c_cc[19]
    private const int TermioSize = 18;     // struct termio
    private const int WinsizeSize = 8;     // struct winsize
    private const int SerialSize = 72;     // struct serial_struct

    private static readonly FrozenDictionary<uint, IoctlLayout> Known = new IoctlLayout[]
    {
        new(0x5401, "TCGETS", IoctlArgument.Out, TermiosSize, false),
        new(0x5402, "TCSETS", IoctlArgument.In, TermiosSize, false),
        new(0x5403, "TCSETSW", IoctlArgument.In, TermiosSize, false),
        new(0x5404, "TCSETSF", IoctlArgument.In, TermiosSize, false),
        new(0x5405, "TCGETA", IoctlArgument.Out, TermioSize, false),
        new(0x5406, "TCSETA", IoctlArgument.In, TermioSize, false),
        new(0x5407, "TCSETAW", IoctlArgument.In, TermioSize, false),
        new(0x5408, "TCSETAF", IoctlArgument.In, TermioSize, false),
        new(0x5409, "TCSBRK", IoctlArgument.Value, 0, false),
        new(0x540A, "TCXONC", IoctlArgument.Value, 0, false),
        new(0x540B, "TCFLSH", IoctlArgument.Value, 0, false),
        new(0x540C, "TIOCEXCL", IoctlArgument.Value, 0, false),
        new(0x540D, "TIOCNXCL", IoctlArgument.Value, 0, false),
        new(0x5411, "TIOCOUTQ", IoctlArgument.Out, 4, false),
        new(0x5413, "TIOCGWINSZ", IoctlArgument.Out, WinsizeSize, false),
        new(0x5414, "TIOCSWINSZ", IoctlArgument.In, WinsizeSize, false),
        new(0x5415, "TIOCMGET", IoctlArgument.Out, 4, false),
        new(0x5416, "TIOCMBIS", IoctlArgument.In, 4, false),
        new(0x5417, "TIOCMBIC", IoctlArgument.In, 4, false),
        new(0x5418, "TIOCMSET", IoctlArgument.In, 4, false),
        new(0x5419, "TIOCGSOFTCAR", IoctlArgument.Out, 4, false),
        new(0x541A, "TIOCSSOFTCAR", IoctlArgument.In, 4, false),
        new(0x541B, "FIONREAD", IoctlArgument.Out, 4, false),
        new(0x541E, "TIOCGSERIAL", IoctlArgument.Out, SerialSize, false),
        new(0x541F, "TIOCSSERIAL", IoctlArgument.In, SerialSize, false),
        new(0x5423, "TIOCSETD", IoctlArgument.In, 4, false),
        new(0x5424, "TIOCGETD", IoctlArgument.Out, 4, false),
        new(0x5425, "TCSBRKP", IoctlArgument.Value, 0, false),
        new(0x5456, "TIOCGLCKTRMIOS", IoctlArgument.Out, TermiosSize, false),
        new(0x5457, "TIOCSLCKTRMIOS", IoctlArgument.In, TermiosSize, false),
        new(0x5459, "TIOCSERGETLSR", IoctlArgument.Out, 4, false),
        new(0x4C80, "LOOP_CTL_ADD", IoctlArgument.Value, 0, false),
        new(0x4C81, "LOOP_CTL_REMOVE", IoctlArgument.Value, 0, false),
        new(0x4C82, "LOOP_CTL_GET_FREE", IoctlArgument.Value, 0, false),
    }.ToFrozenDictionary(l => l.Command);

    /// <summary>
    /// Commands that would act on the owning agent itself or on another process there, never on the
    /// caller: making the terminal the agent's controlling one (TIOCSCTTY, TIOCNOTTY), faking input
    /// (TIOCSTI), blocking without bound (TIOCMIWAIT), or taking a descriptor number of the caller
    /// (LOOP_SET_FD, LOOP_CHANGE_FD, TUNATTACHFILTER-like). Refused even though their number may look harmless.
    /// </summary>
    private static readonly FrozenSet<uint> Refused = new uint[] { 0x540E, 0x5422, 0x5412, 0x545C, 0x4C00, 0x4C06, 0x4C08 }.ToFrozenSet();

    /// <summary>How <paramref name="command"/> takes its argument; <see cref="IoctlArgument.Unknown"/> when it is not carried.</summary>
    public static IoctlLayout Describe(uint command)
    {
        if (Refused.Contains(command))
        {
            return new IoctlLayout(command, Hex(command), IoctlArgument.Unknown, 0, false);
        }

        if (Known.TryGetValue(command, out var known))
        {
            return known;
        }

        var direction = command >> 30;
        var size = (int)((command >> 16) & 0x3FFF);
        if (direction == 0 || size == 0)
        {
            // _IO(): without the table we cannot tell a value from a pointer.
            return new IoctlLayout(command, Hex(command), IoctlArgument.Unknown, 0, false);
        }

        var argument = direction switch
        {
            1 => IoctlArgument.In,      // _IOC_WRITE: user -> driver
            2 => IoctlArgument.Out,     // _IOC_READ: driver -> user
            _ => IoctlArgument.InOut,
        };
        return new IoctlLayout(command, Hex(command), argument, size, true);
    }

    private static string Hex(uint command) => "0x" + command.ToString("x8", CultureInfo.InvariantCulture);
}
