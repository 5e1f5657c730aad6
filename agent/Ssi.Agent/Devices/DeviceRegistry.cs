using System.Collections.Concurrent;

namespace Ssi.Agent.Devices;

/// <summary>Every device handle this node holds for other nodes, across sessions (who has what open).</summary>
internal sealed class DeviceRegistry
{
    private readonly ConcurrentDictionary<ulong, OpenDevice> _open = new();
    private long _next;

    public ulong NextHandle() => (ulong)Interlocked.Increment(ref _next);

    public void Add(OpenDevice device) => _open[device.Handle] = device;

    public void Remove(ulong handle) => _open.TryRemove(handle, out _);

    public IReadOnlyList<OpenDevice> OpenersOf(string path) =>
        _open.Values.Where(d => d.Export.Path == path).OrderBy(d => d.Node, StringComparer.Ordinal).ThenBy(d => d.Pid).ToList();
}
