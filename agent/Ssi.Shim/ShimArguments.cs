namespace Ssi.Shim;

/// <summary>
/// Command line of the shim: <c>ssi-shim [--own-proc [--hide PATH]...] [--] PROGRAM [ARG...]</c>.
/// With <c>--own-proc</c> (given by the agent, which starts the shim in new PID and mount
/// namespaces) the shim mounts the workload's own /proc, detaches the node's plumbing mounts
/// (namespace files and what is at or beneath each <c>--hide</c> path) from its copy of the node's
/// mounts, and reopens its standard descriptors in its own mount namespace.
/// </summary>
internal sealed record ShimArguments(IReadOnlyList<string> Command, bool OwnProc = false, IReadOnlyList<string>? Hidden = null)
{
    public static ShimArguments? Parse(string[] args)
    {
        var i = 0;
        var ownProc = false;
        var hidden = new List<string>();
        while (i < args.Length)
        {
            if (args[i] == "--own-proc")
            {
                ownProc = true;
                i++;
            }
            else if (args[i] == "--hide" && i + 1 < args.Length)
            {
                hidden.Add(args[i + 1]);
                i += 2;
            }
            else
            {
                break;
            }
        }

        var command = i < args.Length && args[i] == "--" ? args[(i + 1)..] : args[i..];
        return command.Length == 0 || (hidden.Count > 0 && !ownProc) ? null : new ShimArguments(command, ownProc, hidden);
    }
}
