namespace Ssi.Cli.Commands;

/// <summary>A process that has a device open, in <c>ssi dev ls -o json</c>.</summary>
internal sealed record DeviceOpenerJson(string Node, uint Pid, string Command);
