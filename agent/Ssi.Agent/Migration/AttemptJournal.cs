using System.Collections.Concurrent;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Agent.Migration;

/// <summary>
/// Where this agent stands in each migration attempt it took part in, kept in memory after the
/// attempt ended (the most recent <see cref="FinishedKept"/> finished ones), so that a coordinator
/// that took over from one that stopped can ask, and so that Commit and Resume can be repeated.
/// </summary>
internal sealed class AttemptJournal
{
    public const int FinishedKept = 1024;

    private readonly ConcurrentDictionary<string, AttemptStatus> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finished = new();

    public void Record(string attemptId, AttemptState state, int hostPid = 0, long frozenAtUnixMs = 0)
    {
        var status = _attempts.AddOrUpdate(
            attemptId,
            _ => new AttemptStatus { AttemptId = attemptId, State = state, HostPid = hostPid, FrozenAtUnixMs = frozenAtUnixMs },
            (_, old) => new AttemptStatus
            {
                AttemptId = attemptId,
                State = state,
                HostPid = hostPid != 0 ? hostPid : old.HostPid,
                FrozenAtUnixMs = frozenAtUnixMs != 0 ? frozenAtUnixMs : old.FrozenAtUnixMs,
            });
        if (IsFinal(status.State))
        {
            _finished.Enqueue(attemptId);
            while (_finished.Count > FinishedKept && _finished.TryDequeue(out var oldest))
            {
                if (_attempts.TryGetValue(oldest, out var old) && IsFinal(old.State))
                {
                    _attempts.TryRemove(oldest, out _);
                }
            }
        }
    }

    public AttemptStatus? Find(string attemptId) => _attempts.GetValueOrDefault(attemptId);

    public AttemptState StateOf(string attemptId) => Find(attemptId)?.State ?? AttemptState.Unspecified;

    private static bool IsFinal(AttemptState state) =>
        state is AttemptState.Committed or AttemptState.RolledBack or AttemptState.Resumed or AttemptState.Aborted;
}
