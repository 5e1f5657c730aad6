namespace Ssi.Cli.Local;

internal sealed record HostCommandResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError);
