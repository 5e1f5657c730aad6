namespace Ssi.Shim;

/// <summary>
/// Command line of the shim: <c>ssi-shim [--report SOCKET] [--own-proc [--hide PATH]...] [--] PROGRAM [ARG...]</c>.
/// With <c>--own-proc</c> (given by the agent, which starts the shim in new PID and mount
/// namespaces) the shim mounts the workload's own /proc, detaches the node's plumbing mounts
/// (namespace files and what is at or beneath each <c>--hide</c> path) from its copy of the node's
/// mounts, and reopens its standard descriptors in its own mount namespace. With <c>--report</c>
/// it tells the agent listening at SOCKET (the same path on every node) that the command started,
/// which orphans it reaped and how the command ended.
/// </summary>
internal sealed record ShimArguments(IReadOnlyList<string> Command, bool OwnProc = false, IReadOnlyList<string>? Hidden = null, string? ReportSocket = null)
{
    public static ShimArguments? Parse(string[] args)
    {
        var i = 0;
        var ownProc = false;
        var hidden = new List<string>();
        string? report = null;
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
            else if (args[i] == "--report" && i + 1 < args.Length && report is null)
            {
                report = args[i + 1];
                i += 2;
            }
            else
            {
                break;
            }
        }

        var command = i < args.Length && args[i] == "--" ? args[(i + 1)..] : args[i..];
        return command.Length == 0 || (hidden.Count > 0 && !ownProc) || report == "" ? null : new ShimArguments(command, ownProc, hidden, report);
    }
}
