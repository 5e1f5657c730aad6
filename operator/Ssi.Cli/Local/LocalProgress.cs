namespace Ssi.Cli.Local;

/// <summary>One step of a local-mode operation, for the progress display.</summary>
internal sealed record LocalProgress(string Message, bool Failed = false);
