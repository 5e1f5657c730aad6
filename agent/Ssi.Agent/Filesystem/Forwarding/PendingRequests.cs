namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>The forwarded requests not answered yet, by the kernel's unique: each is answered exactly once (by the home, or with an error here).</summary>
internal sealed class PendingRequests
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, PendingRequest> _byUnique = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byUnique.Count;
            }
        }
    }

    public void Add(ulong unique, in PendingRequest request)
    {
        lock (_lock)
        {
            _byUnique[unique] = request;
        }
    }

    public bool Contains(ulong unique)
    {
        lock (_lock)
        {
            return _byUnique.ContainsKey(unique);
        }
    }

    /// <summary>What an interrupt of <paramref name="unique"/> meets: nothing (not seen yet, or answered), a lock wait at the home, or another request.</summary>
    public PendingState StateOf(ulong unique)
    {
        lock (_lock)
        {
            return !_byUnique.TryGetValue(unique, out var request) ? PendingState.Unknown
                : request.Opcode != Fuse.FuseOpcode.SetLkW ? PendingState.Pending
                : request.Unsent is null ? PendingState.WaitingForLock
                : PendingState.Unknown; // its interrupt can only go out with it: the kernel asks again
        }
    }

    /// <summary>Removes the request to answer it; false when it was answered already (timed out, failed).</summary>
    public bool TryTake(ulong unique, out PendingRequest request)
    {
        lock (_lock)
        {
            return _byUnique.Remove(unique, out request);
        }
    }

    /// <summary>Removes every request whose deadline is at or before <paramref name="now"/>.</summary>
    public List<ulong> TakeExpired(long now) => TakeWhere(r => r.Deadline <= now);

    /// <summary>Removes every request sent on link <paramref name="generation"/> (it broke: they may or may not have run).</summary>
    public List<ulong> TakeSentOn(int generation) => TakeWhere(r => r.Generation == generation && r.Unsent is null);

    /// <summary>Removes every request not sent yet (the home could not be reached).</summary>
    public List<ulong> TakeUnsent() => TakeWhere(r => r.Unsent is not null);

    /// <summary>Marks every request not sent yet as sent on link <paramref name="generation"/> and returns their bytes, in arrival order.</summary>
    public List<byte[]> SendUnsent(int generation)
    {
        lock (_lock)
        {
            var sent = new List<(ulong Unique, byte[] Bytes)>();
            foreach (var (unique, request) in _byUnique)
            {
                if (request.Unsent is { } bytes)
                {
                    sent.Add((unique, bytes));
                }
            }

            foreach (var (unique, _) in sent)
            {
                _byUnique[unique] = _byUnique[unique] with { Generation = generation, Unsent = null };
            }

            // The kernel numbers requests in the order it hands them out.
            return [.. sent.OrderBy(s => s.Unique).Select(s => s.Bytes)];
        }
    }

    private List<ulong> TakeWhere(Func<PendingRequest, bool> match)
    {
        lock (_lock)
        {
            var taken = _byUnique.Where(r => match(r.Value)).Select(r => r.Key).ToList();
            foreach (var unique in taken)
            {
                _byUnique.Remove(unique);
            }

            return taken;
        }
    }
}

/// <summary>See <see cref="PendingRequests.StateOf"/>.</summary>
internal enum PendingState
{
    Unknown,
    Pending,
    WaitingForLock,
}
