namespace Ssi.Cli.Local;

/// <summary>The shared filesystem of a local cluster: where it is mounted on every node, which node keeps the data, where.</summary>
internal sealed record LocalFilesystemLayout(string MountPath, string HomeNode, string BackingDirectory);
