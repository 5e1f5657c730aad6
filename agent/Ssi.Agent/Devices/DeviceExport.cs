namespace Ssi.Agent.Devices;

/// <summary>One exported character device: the name other nodes see, its path here, and what it is.</summary>
internal sealed record DeviceExport(string Name, string Path, uint Major, uint Minor, uint Mode, uint Uid, uint Gid);
