namespace Ssi.Orchestration.CommandLine;

/// <summary>
/// kill(1)'s syntax on top of the option parser: <c>ssi kill -9 CPID</c>, <c>ssi kill -TERM CPID</c>,
/// <c>ssi kill -- -PGID</c> become <c>--signal 9 CPID</c> and <c>--group PGID</c>.
/// </summary>
public static class KillSyntax
{
    /// <summary>Options of <c>ssi kill</c> and <c>kubectl ssi kill</c> whose next token is their value, never a signal.</summary>
    private static readonly HashSet<string> OptionsWithValue =
        ["-c", "--cluster", "-s", "--signal", "--group", "-n", "--namespace", "--kubeconfig", "--context", "--agent-endpoint"];

    public static string[] Rewrite(string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var result = new List<string>();
        var afterSeparator = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var token = arguments[i];
            if (token == "--")
            {
                afterSeparator = true;
            }
            else if (afterSeparator && token.Length > 1 && token[0] == '-' && char.IsAsciiDigit(token[1]))
            {
                result.Add("--group");
                result.Add(token[1..]);
            }
            else if (!afterSeparator && (i == 0 || !OptionsWithValue.Contains(arguments[i - 1])) && token.Length > 1 && token[0] == '-' && token[1] != '-' && SignalNames.TryParse(token[1..], out _))
            {
                result.Add("--signal");
                result.Add(token[1..]);
            }
            else
            {
                result.Add(token);
            }
        }

        return [.. result];
    }
}
