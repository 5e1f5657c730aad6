using Ssi.Agent.Devices;

namespace Ssi.Agent.Tests.Devices;

/// <summary>Which ioctl commands remote device files carry, and how their arguments are moved.</summary>
public sealed class IoctlTableTests
{
    [Theory]
    [InlineData(0x5401u, "TCGETS", "Out", 36)]
    [InlineData(0x5402u, "TCSETS", "In", 36)]
    [InlineData(0x5403u, "TCSETSW", "In", 36)]
    [InlineData(0x5404u, "TCSETSF", "In", 36)]
    [InlineData(0x5413u, "TIOCGWINSZ", "Out", 8)]
    [InlineData(0x5414u, "TIOCSWINSZ", "In", 8)]
    [InlineData(0x541Bu, "FIONREAD", "Out", 4)]
    [InlineData(0x540Bu, "TCFLSH", "Value", 0)]
    [InlineData(0x4C82u, "LOOP_CTL_GET_FREE", "Value", 0)]
    public void Terminal_and_loop_commands_without_an_encoded_size_come_from_the_table(uint command, string name, string argument, int size)
    {
        var layout = IoctlTable.Describe(command);

        Assert.Equal((name, Enum.Parse<IoctlArgument>(argument), size, false), (layout.Name, layout.Argument, layout.Size, layout.Encoded));
    }

    [Theory]
    [InlineData(0x80045430u, "Out", 4)]      // TIOCGPTN = _IOR('T', 0x30, unsigned int)
    [InlineData(0x40045431u, "In", 4)]       // TIOCSPTLCK = _IOW('T', 0x31, int)
    [InlineData(0xC0105512u, "InOut", 16)]   // an _IOWR with 16 bytes
    [InlineData(0x802C542Au, "Out", 44)]     // TCGETS2 = _IOR('T', 0x2A, struct termios2)
    public void Commands_that_encode_direction_and_size_are_described_by_their_number(uint command, string argument, int size)
    {
        var layout = IoctlTable.Describe(command);

        Assert.Equal((Enum.Parse<IoctlArgument>(argument), size, true), (layout.Argument, layout.Size, layout.Encoded));
    }

    [Theory]
    [InlineData(0x5499u)]      // an old-style number nobody defined
    [InlineData(0x0000AB00u)]  // _IO('\xab', 0): value or pointer, we cannot tell
    [InlineData(0x540Eu)]      // TIOCSCTTY: would make the terminal the owning agent's
    [InlineData(0x5412u)]      // TIOCSTI: fakes input
    [InlineData(0x4C00u)]      // LOOP_SET_FD: a descriptor number of the caller's process
    public void Unknown_and_dangerous_commands_are_refused(uint command)
    {
        Assert.Equal(IoctlArgument.Unknown, IoctlTable.Describe(command).Argument);
    }

    [Fact]
    public void Memory_direction_follows_the_argument_kind()
    {
        Assert.True(IoctlTable.Describe(0x5401).WritesMemory);
        Assert.False(IoctlTable.Describe(0x5401).ReadsMemory);
        Assert.True(IoctlTable.Describe(0x5402).ReadsMemory);
        Assert.False(IoctlTable.Describe(0x540B).ReadsMemory || IoctlTable.Describe(0x540B).WritesMemory);
        Assert.True(IoctlTable.Describe(0xC0105512).ReadsMemory && IoctlTable.Describe(0xC0105512).WritesMemory);
    }
}
