using Ssi.Orchestration.CommandLine;

namespace Ssi.Cli.Tests;

public sealed class KillSyntaxTests
{
    [Theory]
    [InlineData("-9 1000001", "--signal 9 1000001")]
    [InlineData("-KILL 1000001", "--signal KILL 1000001")]
    [InlineData("-SIGTERM 1000001 2000001", "--signal SIGTERM 1000001 2000001")]
    [InlineData("-- -1000001", "--group 1000001")]
    [InlineData("-HUP -- -1000001 2000001", "--signal HUP --group 1000001 2000001")]
    [InlineData("-s INT 1000001", "-s INT 1000001")]
    [InlineData("1000001", "1000001")]
    [InlineData("-c demo -STOP 1000001", "-c demo --signal STOP 1000001")]
    [InlineData("-c -9 1000001", "-c -9 1000001")]
    public void Rewrites_kill_syntax_into_options(string input, string expected)
    {
        Assert.Equal(expected, string.Join(' ', KillSyntax.Rewrite(input.Split(' '))));
    }

    [Theory]
    [InlineData("9", 9)]
    [InlineData("KILL", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("winch", 28)]
    public void Signal_names_and_numbers(string text, int expected)
    {
        Assert.True(SignalNames.TryParse(text, out var signal));
        Assert.Equal(expected, signal);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("65")]
    public void Unknown_signals_are_refused(string text)
    {
        Assert.False(SignalNames.TryParse(text, out _));
    }
}
