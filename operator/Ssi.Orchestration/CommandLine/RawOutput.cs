namespace Ssi.Orchestration.CommandLine;

/// <summary>
/// Machine-readable output (JSON) straight to stdout: the rich console wraps long lines at its
/// width, which would break strings apart.
/// </summary>
public static class RawOutput
{
    public static void WriteLine(string text)
    {
        System.Console.Out.WriteLine(text);
        System.Console.Out.Flush();
    }
}
