namespace Ssi.Cli.Commands;

/// <summary>One device in <c>ssi dev ls -o json</c>.</summary>
internal sealed record DeviceJson(string Node, string Name, string Path, string RemotePath, uint Major, uint Minor, IReadOnlyList<DeviceOpenerJson> OpenedBy);
