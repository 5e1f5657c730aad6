namespace Ssi.Agent.Devices;

/// <summary>
/// What an ioctl command does with its argument. <see cref="Encoded"/>: the command number carries
/// direction and size (_IOR/_IOW/_IOWR), so the kernel copies the memory for a FUSE file; otherwise
/// the caller's node copies it with process_vm_readv/writev.
/// </summary>
internal readonly record struct IoctlLayout(uint Command, string Name, IoctlArgument Argument, int Size, bool Encoded)
{
    public bool ReadsMemory => Argument is IoctlArgument.In or IoctlArgument.InOut;

    public bool WritesMemory => Argument is IoctlArgument.Out or IoctlArgument.InOut;
}
