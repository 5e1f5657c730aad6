namespace Ssi.Cli.Commands;

/// <summary>A node's shared filesystem in <c>ssi local status -o json</c>.</summary>
internal sealed record FilesystemStatusJson(string MountPath, string Role, bool Mounted, bool Passthrough, string Message);
