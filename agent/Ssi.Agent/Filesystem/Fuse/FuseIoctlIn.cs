namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>struct fuse_ioctl_in and the argument bytes the kernel copied for a restricted ioctl.</summary>
internal readonly ref struct FuseIoctlIn
{
    private FuseIoctlIn(ulong fileHandle, uint flags, uint command, ulong argument, uint inputSize, uint outputSize, ReadOnlySpan<byte> input)
    {
        FileHandle = fileHandle;
        Flags = flags;
        Command = command;
        Argument = argument;
        InputSize = inputSize;
        OutputSize = outputSize;
        Input = input;
    }

    public ulong FileHandle { get; }

    public uint Flags { get; }

    public uint Command { get; }

    /// <summary>The caller's argument: a value, or an address in the caller's memory.</summary>
    public ulong Argument { get; }

    public uint InputSize { get; }

    /// <summary>How many bytes the kernel copies back to the caller from the reply.</summary>
    public uint OutputSize { get; }

    public ReadOnlySpan<byte> Input { get; }

    public static FuseIoctlIn Read(scoped ref FuseRequest request)
    {
        var fh = request.U64();
        var flags = request.U32();
        var command = request.U32();
        var argument = request.U64();
        var inputSize = request.U32();
        var outputSize = request.U32();
        var input = request.Bytes((int)Math.Min(inputSize, (uint)request.Remaining));
        if (input.Length != inputSize)
        {
            throw new FuseProtocolException($"IOCTL says {inputSize} input bytes, {input.Length} came");
        }

        return new FuseIoctlIn(fh, flags, command, argument, inputSize, outputSize, input);
    }
}
