namespace Ssi.Shim;

/// <summary>Command line of the shim: <c>ssi-shim [--] PROGRAM [ARG...]</c>.</summary>
internal sealed record ShimArguments(IReadOnlyList<string> Command)
{
    public static ShimArguments? Parse(string[] args)
    {
        var command = args.Length > 0 && args[0] == "--" ? args[1..] : args;
        return command.Length == 0 ? null : new ShimArguments(command);
    }
}
