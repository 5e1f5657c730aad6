namespace Ssi.Agent.Filesystem.Passthrough;

/// <summary>
/// The open files of every inode on every node, as the home saw them opened and released: decides
/// each new open's mode (<see cref="OpenModePolicy"/>), keeps the one passthrough backing file of an
/// inode while the home's kernel has it open that way, and tells which inodes' attributes other
/// nodes must not cache (the home may be changing them unseen).
/// </summary>
internal sealed class OpenModeTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, InodeOpens> _inodes = [];
    private readonly Dictionary<ulong, OpenHandle> _handles = [];

    /// <summary>
    /// Records open <paramref name="handle"/> of <paramref name="node"/> by node <paramref name="origin"/>
    /// and decides its mode. <paramref name="openBacking"/> registers a backing file with the home's
    /// kernel when the inode's passthrough period starts; if it throws, the open is cached.
    /// </summary>
    public OpenDecision Open(ulong node, ulong handle, int origin, bool fromHome, bool passthroughAllowed, Func<int> openBacking)
    {
        ArgumentNullException.ThrowIfNull(openBacking);
        lock (_gate)
        {
            if (!_inodes.TryGetValue(node, out var opens))
            {
                opens = _inodes[node] = new InodeOpens();
            }

            var mode = OpenModePolicy.Choose(opens, fromHome, passthroughAllowed);
            var started = false;
            if (mode == OpenMode.Passthrough && opens.BackingId == 0)
            {
                try
                {
                    opens.BackingId = openBacking();
                    started = true;
                }
                catch (Native.NativeException)
                {
                    mode = OpenMode.Cached;
                }
            }

            switch (mode)
            {
                case OpenMode.Passthrough:
                    opens.HomePassthrough++;
                    break;
                case OpenMode.Cached when fromHome:
                    opens.HomeCached++;
                    break;
                default:
                    opens.Remote++;
                    break;
            }

            _handles[handle] = new OpenHandle(node, origin, fromHome, mode);
            return new OpenDecision(mode, mode == OpenMode.Passthrough ? opens.BackingId : 0, started);
        }
    }

    /// <summary>
    /// Node <paramref name="origin"/> reports having <paramref name="handle"/> of <paramref name="node"/>
    /// open (it kept it across a restart of the home): counted as a cached open unless already known.
    /// </summary>
    public void Reported(ulong node, ulong handle, int origin)
    {
        lock (_gate)
        {
            if (_handles.ContainsKey(handle))
            {
                return;
            }

            if (!_inodes.TryGetValue(node, out var opens))
            {
                opens = _inodes[node] = new InodeOpens();
            }

            opens.Remote++;
            _handles[handle] = new OpenHandle(node, origin, FromHome: false, OpenMode.Cached);
        }
    }

    /// <summary>Handle <paramref name="handle"/> was released; returns the backing id to close when it was the inode's last passthrough open (else 0).</summary>
    public int Release(ulong handle)
    {
        lock (_gate)
        {
            return _handles.Remove(handle, out var open) ? Forget(open) : 0;
        }
    }

    /// <summary>
    /// Whether other nodes must not cache <paramref name="node"/>'s attributes: the home's kernel has
    /// it open in passthrough, so its size and times change without the agent seeing it.
    /// </summary>
    public bool AttributesVolatile(ulong node)
    {
        lock (_gate)
        {
            return _inodes.TryGetValue(node, out var opens) && opens.HomePassthrough > 0;
        }
    }

    /// <summary>The mode of open <paramref name="handle"/>, if known.</summary>
    public OpenMode? ModeOf(ulong handle)
    {
        lock (_gate)
        {
            return _handles.TryGetValue(handle, out var open) ? open.Mode : null;
        }
    }

    /// <summary>Node <paramref name="origin"/>'s mount is gone with its open files: forgets them and returns them (for the caller to close).</summary>
    public IReadOnlyList<(ulong Node, ulong Handle)> DropNode(int origin)
    {
        lock (_gate)
        {
            var dropped = _handles.Where(h => h.Value.Origin == origin && !h.Value.FromHome).Select(h => (h.Value.Node, h.Key)).ToList();
            foreach (var (_, handle) in dropped)
            {
                _handles.Remove(handle, out var open);
                _ = Forget(open!);
            }

            return dropped;
        }
    }

    private int Forget(OpenHandle open)
    {
        var opens = _inodes[open.Node];
        var backing = 0;
        switch (open.Mode)
        {
            case OpenMode.Passthrough:
                if (--opens.HomePassthrough == 0)
                {
                    backing = opens.BackingId;
                    opens.BackingId = 0;
                }

                break;
            case OpenMode.Cached when open.FromHome:
                opens.HomeCached--;
                break;
            default:
                opens.Remote--;
                break;
        }

        if (opens.IsEmpty)
        {
            _inodes.Remove(open.Node);
        }

        return backing;
    }

    private sealed record OpenHandle(ulong Node, int Origin, bool FromHome, OpenMode Mode);
}
