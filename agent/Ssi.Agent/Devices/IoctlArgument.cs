namespace Ssi.Agent.Devices;

/// <summary>How an ioctl command takes its argument.</summary>
internal enum IoctlArgument
{
    /// <summary>Not a command we know: refused with ENOTTY.</summary>
    Unknown,

    /// <summary>The argument is a plain value (or unused).</summary>
    Value,

    /// <summary>The argument points at memory the command reads.</summary>
    In,

    /// <summary>The argument points at memory the command writes.</summary>
    Out,

    /// <summary>The argument points at memory the command reads and writes.</summary>
    InOut,
}
