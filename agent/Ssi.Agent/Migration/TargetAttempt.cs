using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Relay;

namespace Ssi.Agent.Migration;

/// <summary>A migration onto this node, between restore and resume or abort.</summary>
internal sealed class TargetAttempt(string id, string imageDirectory)
{
    private readonly CancellationTokenSource _abort = new();

    public string Id { get; } = id;

    public string ImageDirectory { get; } = imageDirectory;

    public int? ShimPid { get; set; }

    public List<StandIn> StandIns { get; } = [];

    /// <summary>Lazy mode: the daemon that pulls pages from the source as the restored tree touches them.</summary>
    public CriuProcess? LazyDaemon { get; set; }

    /// <summary>The restore the source sent with the images, if it did.</summary>
    public RestoreRequest? Order { get; private set; }

    /// <summary>That restore, started when the last image was in; the coordinator's Restore waits for it.</summary>
    public Task<RestoreResponse>? Restore { get; private set; }

    /// <summary>Cancelled when the attempt is aborted: a restore in progress stops (criu is killed).</summary>
    public CancellationToken Aborting => _abort.Token;

    private readonly Lock _finishing = new();
    private Action? _finish;
    private bool _dropped;
    private bool _finished;

    /// <summary>What is left to do for a restored copy before it runs (<see cref="Finish"/>).</summary>
    public void DeferFinish(Action finish)
    {
        lock (_finishing)
        {
            _finish = _dropped ? null : finish;
        }
    }

    /// <summary>Does what was left to do for the restored copy, once; nothing after the attempt was dropped.</summary>
    public void Finish()
    {
        lock (_finishing)
        {
            var finish = _finish;
            _finish = null;
            if (finish is not null)
            {
                finish();
                _finished = true;
            }
        }
    }

    /// <summary>The attempt was dropped: what was left to do is not done any more. Whether it had been done (the copy, if any, is tracked and reaped).</summary>
    public bool Dropped()
    {
        lock (_finishing)
        {
            _dropped = true;
            _finish = null;
            return _finished;
        }
    }

    /// <summary>Starts the ordered restore unless the attempt was aborted meanwhile (then false).</summary>
    public bool TryStart(RestoreRequest order, Func<Task<RestoreResponse>> restore)
    {
        lock (_abort)
        {
            if (_abort.IsCancellationRequested)
            {
                return false;
            }

            Order = order;
            Restore = Task.Run(restore);
            return true;
        }
    }

    /// <summary>Stops a restore in progress; the restore that was started, if any, to wait for.</summary>
    public Task? Cancel()
    {
        lock (_abort)
        {
            _abort.Cancel();
            return Restore;
        }
    }
}
