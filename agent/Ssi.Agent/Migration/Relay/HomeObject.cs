using Microsoft.Extensions.Logging;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// An object that stayed on this node when the process holding it moved away (the other end of a
/// pipe, a terminal, a stream socket's peer), kept alive by a duplicate of the process's descriptor.
/// Stand-ins on other nodes attach to it over bulk links, one at a time: a stand-in that moves on
/// detaches (and gives back what it had received but not delivered) before the next one is served,
/// so bytes keep their order across any number of moves. Nothing is read or written before the
/// migration commits.
/// </summary>
internal sealed class HomeObject : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly TaskCompletionSource _activated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte[]> _returned = [];
    private readonly ILogger _logger;
    private DescriptorPump? _pump;
    private int _fd;
    private (ushort, ushort)? _window;
    private int _waiting;
    private readonly Lock _ends = new();
    private bool _inboundEnded;
    private bool _outboundEnded;

    public HomeObject(string id, string kind, RelayDirection direction, int fd, string attemptId, ILogger logger)
    {
        Id = id;
        Kind = kind;
        Direction = direction;
        _fd = fd;
        AttemptId = attemptId;
        _logger = logger;
    }

    public string Id { get; }

    public string Kind { get; }

    public RelayDirection Direction { get; }

    /// <summary>The migration attempt that made this object; until it commits the object is dormant.</summary>
    public string AttemptId { get; }

    /// <summary>Node of the stand-in being served (for listings).</summary>
    public string? AttachedNode { get; private set; }

    public Task Finished => _finished.Task;

    public bool IsActive => _activated.Task.IsCompleted;

    /// <summary>Called when a stand-in goes away without moving on: the process it served is lost.</summary>
    public Action? Lost { get; set; }

    /// <summary>The migration committed: the original process is gone, the stand-ins may take over.</summary>
    public void Activate()
    {
        if (IsActive)
        {
            return;
        }

        if (Kind == "tty")
        {
            // The stand-in's terminal does the line discipline now; this side passes bytes through.
            TerminalSettings.MakeRaw(_fd);
            _window = Pty.GetWindowSize(_fd);
        }

        if (Kind == "pipe")
        {
            // Its process moved away; a larger buffer lets the relay move bulk data in fewer, bigger chunks.
            FileDescriptor.TryGrowPipe(_fd, 1024 * 1024);
        }

        if (Direction.HomeSends())
        {
            _pump = new DescriptorPump(_fd, Id);
            _pump.Start();
        }

        _activated.TrySetResult();
    }

    /// <summary>
    /// Serves the stand-in of <paramref name="node"/> that attached over <paramref name="link"/>
    /// (blocking, on the link's thread), once the stand-in before it is done and the migration committed.
    /// </summary>
    public void Serve(BulkConnection link, string node)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!WaitForTurn(link))
            {
                return; // it went away while it waited
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            if (!link.WaitQuietly(Task.WhenAny(_activated.Task, _finished.Task)))
            {
                return;
            }

            AttachedNode = node;
            if (_finished.Task.IsCompleted)
            {
                link.Send(BulkFrameKind.Eof);
                return;
            }

            link.Send(BulkFrameKind.Active);
            using var sending = new Sending(this, link);
            var (detached, ended) = (false, false);
            try
            {
                sending.Start();
                while (!ended && link.NextHeader(out var kind, out _))
                {
                    if (kind == BulkFrameKind.Data && !detached && Direction != RelayDirection.Read)
                    {
                        // Into the object as it arrives.
                        if (!link.CopyPayloadTo(_fd))
                        {
                            link.Send(BulkFrameKind.Closed);
                            Finish("the reader on this node closed");
                        }

                        continue;
                    }

                    var payload = link.Payload();
                    switch (kind)
                    {
                        case BulkFrameKind.Data:
                            _returned.Add(payload.ToArray());
                            break;
                        case BulkFrameKind.Eof when RelayKinds.HalfCloses(Kind):
                            // The moved process shut its socket for writing (or closed it): the peer here
                            // reads end of file and may still answer, until its side ends too.
                            BulkFrame.RequireEmpty(payload, kind);
                            FileDescriptor.TryShutdownWrite(_fd);
                            if (EndOneWay(inbound: true))
                            {
                                Finish("both ways ended");
                            }

                            break;
                        case BulkFrameKind.Eof:
                            // The moved process closed its end (or exited): close ours, the peer here sees end of file.
                            BulkFrame.RequireEmpty(payload, kind);
                            Finish("end of file from the moved process");
                            break;
                        case BulkFrameKind.Closed:
                            BulkFrame.RequireEmpty(payload, kind);
                            Finish("the moved process closed its end");
                            break;
                        case BulkFrameKind.Detach:
                            BulkFrame.RequireEmpty(payload, kind);
                            detached = true;
                            sending.Stop();
                            link.Send(BulkFrameKind.Detach);
                            break;
                        case BulkFrameKind.End:
                            BulkFrame.RequireEmpty(payload, kind);
                            ended = true;
                            break;
                        default:
                            throw new BulkProtocolException($"a stand-in does not send {kind}");
                    }
                }
            }
            finally
            {
                sending.Stop();
                AttachedNode = null;
                if (!detached && !_finished.Task.IsCompleted && Volatile.Read(ref _waiting) == 0)
                {
                    // The stand-in went away without moving on (its node or agent died, or the link
                    // broke): its process lost this end, so the peer here gets end of file, not a hang.
                    Finish($"the stand-in on {node} went away");
                    Lost?.Invoke();
                }
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Waits until the stand-in before is done; false when this one went away meanwhile.</summary>
    private bool WaitForTurn(BulkConnection link)
    {
        using var giveUp = new CancellationTokenSource();
        var turn = _turn.WaitAsync(giveUp.Token);
        if (link.WaitQuietly(turn))
        {
            return true;
        }

        giveUp.Cancel();
        try
        {
            turn.Wait();
            _turn.Release(); // taken just before the cancellation
        }
        catch (AggregateException)
        {
        }

        return false;
    }

    /// <summary>Records that one way of a half-closing object ended; true when both have.</summary>
    private bool EndOneWay(bool inbound)
    {
        lock (_ends)
        {
            if (inbound)
            {
                _inboundEnded = true;
            }
            else
            {
                _outboundEnded = true;
            }

            return _inboundEnded && _outboundEnded;
        }
    }

    private void Finish(string why)
    {
        if (_finished.TrySetResult())
        {
            MigrationLog.ObjectFinished(_logger, Id, why);
        }
    }

    public void Dispose()
    {
        _pump?.Dispose();
        var fd = Interlocked.Exchange(ref _fd, -1);
        FileDescriptor.Close(fd);
        _finished.TrySetResult();
    }

    /// <summary>
    /// What goes to one attached stand-in: first what an earlier stand-in gave back, then the pump's
    /// chunks, straight from its buffer; a terminal's window size whenever it changes.
    /// </summary>
    private sealed class Sending(HomeObject home, BulkConnection link) : IPumpSink, IDisposable
    {
        private readonly Lock _resizing = new();
        private Timer? _ticks;
        private bool _stopped;

        public void Start()
        {
            if (!home.Direction.HomeSends())
            {
                return;
            }

            while (home._returned.Count > 0)
            {
                link.SendData(home._returned[0]);
                home._returned.RemoveAt(0);
            }

            if (home.Kind == "tty")
            {
                _ticks = new Timer(_ => SendWindowIfChanged(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
            }

            home._pump!.Attach(this);
        }

        /// <summary>Sends nothing more (returns once no chunk is being sent).</summary>
        public void Stop()
        {
            lock (_resizing)
            {
                _stopped = true;
            }

            home._pump?.Detach();
        }

        public void Data(Span<byte> frame) => link.SendFramed(BulkFrameKind.Data, frame);

        public void End()
        {
            try
            {
                link.Send(BulkFrameKind.Eof);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return; // the stand-in is gone; the next one gets the end
            }

            if (RelayKinds.HalfCloses(home.Kind) && !home.EndOneWay(inbound: false))
            {
                // Half-closed here: the moved process reads end of file and may still write.
                return;
            }

            home.Finish("end of file on this node");
        }

        /// <summary>
        /// On a timer tick (a pool thread): never waits for the link. While a chunk is being sent, or an
        /// earlier tick still sends, the change goes with a later tick.
        /// </summary>
        private void SendWindowIfChanged()
        {
            if (!_resizing.TryEnter())
            {
                return;
            }

            try
            {
                if (_stopped || Pty.GetWindowSize(home._fd) is not { } window || window == home._window)
                {
                    return;
                }

                Span<byte> frame = stackalloc byte[BulkFrame.HeaderSize + 4];
                if (link.TrySend(frame[..BulkFrame.Resize(frame, window.Rows, window.Columns)]))
                {
                    home._window = window;
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                _resizing.Exit();
            }
        }

        public void Dispose()
        {
            Stop();
            _ticks?.Dispose();
        }
    }
}
