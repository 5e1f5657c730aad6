using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;

namespace Ssi.Agent.Migration;

/// <summary>
/// One coordinator at a time per attempt. Every coordinator call carries its epoch (the gRPC header
/// <see cref="Header"/>; none, as from a coordinator that predates it, counts as 0). A call whose
/// epoch is below the newest this agent has seen for the attempt is refused, so a leader that lost
/// its lease cannot act after its successor asked about the attempt. The steps of one attempt run
/// one at a time here, and a successor's question does not wait: it is told that a step of the
/// previous coordinator is still running (busy) and asks again later.
/// </summary>
internal sealed class AttemptFence
{
    public const string Header = "ssi-coordinator-epoch";

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public static long EpochOf(ServerCallContext context) =>
        long.TryParse(context.RequestHeaders.GetValue(Header), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : 0;

    /// <summary>Runs one step of the attempt for a coordinator of <paramref name="epoch"/>, after the step in progress, unless a newer coordinator has called.</summary>
    public async Task<T> RunAsync<T>(string attemptId, long epoch, Func<Task<T>> step, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(attemptId, _ => new Entry());
        Admit(attemptId, entry, epoch);
        await entry.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Admit(attemptId, entry, epoch); // a successor may have called while this one waited
            return await step().ConfigureAwait(false);
        }
        finally
        {
            entry.Turn.Release();
        }
    }

    /// <summary>A coordinator of <paramref name="epoch"/> asks about the attempt: it becomes the newest; true when a step is running now.</summary>
    public bool Claim(string attemptId, long epoch)
    {
        var entry = _entries.GetOrAdd(attemptId, _ => new Entry());
        Admit(attemptId, entry, epoch);
        return entry.Turn.CurrentCount == 0;
    }

    private static void Admit(string attemptId, Entry entry, long epoch)
    {
        lock (entry)
        {
            if (epoch < entry.Epoch)
            {
                throw new RpcException(new Status(
                    StatusCode.FailedPrecondition,
                    $"attempt {attemptId} was taken over by a newer coordinator (epoch {entry.Epoch}); this call's epoch is {epoch}"));
            }

            entry.Epoch = epoch;
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public long Epoch { get; set; }
    }
}
