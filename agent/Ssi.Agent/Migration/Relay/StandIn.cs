using Microsoft.Extensions.Logging;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// The local object a migrated process got in place of one that stayed on its home node: a pipe,
/// a pty or a socket pair. The process holds one end; this agent holds the other and relays it over
/// a bulk link to the home agent's <see cref="HomeObject"/>. When the process moves on again, the
/// stand-in detaches so that the next node attaches to the home directly (no chain of relays).
/// </summary>
internal sealed class StandIn : IDisposable
{
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _movedOn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _ends = new();
    private int _agentEnd;
    private int _processCopy = -1;
    private bool _detaching;
    private bool _sentEof;
    private bool _receivedEof;

    public StandIn(string key, string objectId, string homeNode, string homeEndpoint, string kind, RelayDirection direction, int agentEnd, ILogger logger)
    {
        Key = key;
        ObjectId = objectId;
        HomeNode = homeNode;
        HomeEndpoint = homeEndpoint;
        Kind = kind;
        Direction = direction;
        _agentEnd = agentEnd;
        _logger = logger;
    }

    /// <summary>CRIU's key of the process's end (pipe:[INODE], tty[RDEV:DEV], socket:[INODE]).</summary>
    public string Key { get; }

    public string ObjectId { get; }

    public string HomeNode { get; }

    public string HomeEndpoint { get; }

    public string Kind { get; }

    public RelayDirection Direction { get; }

    /// <summary>
    /// The process is about to move on: keep a copy of its end, so that bytes this stand-in already
    /// put into it, not yet read, can be given back to the home after the move.
    /// </summary>
    public void PrepareMoveOn(int processEndCopy)
    {
        var previous = Interlocked.Exchange(ref _processCopy, processEndCopy);
        FileDescriptor.Close(previous);
    }

    /// <summary>The move was rolled back: the process stays here and keeps this stand-in.</summary>
    public void CancelMoveOn() => FileDescriptor.Close(Interlocked.Exchange(ref _processCopy, -1));

    /// <summary>The move committed (the process here is gone): drain, give back, detach.</summary>
    public void MoveOn() => _movedOn.TrySetResult();

    /// <summary>Relays over <paramref name="link"/> (already open to the home) until the relay ends (blocking: on a thread of its own).</summary>
    public void Run(BulkConnection link, string node)
    {
        link.Send(buffer => BulkFrame.Attach(buffer, ObjectId, node));
        if (!link.Next(out var first, out var reason) || first != BulkFrameKind.Active)
        {
            // The object ended before this stand-in was served (the process sees end of file), or the home refused.
            if (first == BulkFrameKind.Refused)
            {
                throw new BulkProtocolException($"the home refused the relay: {BulkFrame.ReadText(reason, first)}");
            }

            return;
        }

        var undelivered = new List<byte[]>();
        var halfCloses = RelayKinds.HalfCloses(Kind);
        using var pump = Direction.HomeReceives() ? new DescriptorPump(_agentEnd, Key) : null;
        var sending = new Sending(this, link, halfCloses);
        pump?.Start();
        pump?.Attach(sending);
        using var stop = new CancellationTokenSource();
        _ = _movedOn.Task.ContinueWith(_ => MoveOnNow(link), stop.Token, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            while (link.NextHeader(out var kind, out _))
            {
                if (kind == BulkFrameKind.Data && !Volatile.Read(ref _detaching))
                {
                    // Into the process's end as it arrives.
                    if (!link.CopyPayloadTo(_agentEnd))
                    {
                        link.Send(BulkFrameKind.Closed);
                        return;
                    }

                    continue;
                }

                var payload = link.Payload();
                switch (kind)
                {
                    case BulkFrameKind.Data:
                        undelivered.Add(payload.ToArray());
                        break;
                    case BulkFrameKind.Resize:
                        var (rows, columns) = BulkFrame.ReadResize(payload);
                        if (Kind == "tty")
                        {
                            Pty.SetWindowSize(_agentEnd, rows, columns);
                        }

                        break;
                    case BulkFrameKind.Eof when halfCloses:
                    {
                        // The peer at home shut its side: the process reads end of file and may still write.
                        BulkFrame.RequireEmpty(payload, kind);
                        FileDescriptor.TryShutdownWrite(_agentEnd);
                        bool bothEnded;
                        lock (_ends)
                        {
                            _receivedEof = true;
                            bothEnded = _sentEof;
                        }

                        if (bothEnded)
                        {
                            link.Send(BulkFrameKind.End);
                            return;
                        }

                        break;
                    }

                    case BulkFrameKind.Eof:
                    case BulkFrameKind.Closed:
                        // The home's side ended: the process sees end of file (or EPIPE on its next write).
                        BulkFrame.RequireEmpty(payload, kind);
                        return;
                    case BulkFrameKind.Detach:
                        BulkFrame.RequireEmpty(payload, kind);
                        GiveBack(link, undelivered);
                        link.Send(BulkFrameKind.End);
                        MigrationLog.StandInDetached(_logger, Key, ObjectId, HomeNode);
                        return;
                    default:
                        throw new BulkProtocolException($"a home does not send {kind}");
                }
            }
        }
        finally
        {
            stop.Cancel();
            // Also ends a chunk the pump may be stuck sending.
            link.CloseGracefully(TimeSpan.FromSeconds(2));
            pump?.Detach();
        }
    }

    /// <summary>The process here is gone: ask the home to stop sending, or first let its last output drain.</summary>
    private void MoveOnNow(BulkConnection link)
    {
        bool detachNow;
        lock (_ends)
        {
            detachNow = Direction == RelayDirection.Read || _sentEof;
            _detaching |= detachNow;
        }

        if (!detachNow)
        {
            // End of file arrives on the agent's end once the process's copy is closed; the pump then detaches.
            FileDescriptor.Close(Interlocked.Exchange(ref _processCopy, -1));
            return;
        }

        try
        {
            // Nothing more comes out of the process (it only reads, or it shut its socket for writing).
            link.Send(BulkFrameKind.Detach);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Bytes the process never read: first what is still in its end, then what arrived after.</summary>
    private void GiveBack(BulkConnection link, List<byte[]> undelivered)
    {
        var copy = Interlocked.Exchange(ref _processCopy, -1);
        try
        {
            if (copy >= 0 && Direction == RelayDirection.Read)
            {
                FileDescriptor.Close(Interlocked.Exchange(ref _agentEnd, -1)); // no writer left: the copy reads to end of file
                var frame = GC.AllocateUninitializedArray<byte>(BulkFrame.HeaderSize + DescriptorPump.ChunkSize);
                while (Readiness.WaitReadable(copy, 0))
                {
                    var n = FileDescriptor.Read(copy, frame.AsSpan(BulkFrame.HeaderSize));
                    if (n == 0)
                    {
                        break;
                    }

                    link.SendFramed(BulkFrameKind.Data, frame.AsSpan(0, BulkFrame.HeaderSize + n));
                }
            }
        }
        finally
        {
            FileDescriptor.Close(copy);
        }

        foreach (var chunk in undelivered)
        {
            link.SendData(chunk);
        }
    }

    public void Dispose()
    {
        FileDescriptor.Close(Interlocked.Exchange(ref _agentEnd, -1));
        FileDescriptor.Close(Interlocked.Exchange(ref _processCopy, -1));
        _movedOn.TrySetCanceled();
    }

    /// <summary>What the process writes goes to the home, straight from the pump's buffer; its end of file ends one way or detaches.</summary>
    private sealed class Sending(StandIn standIn, BulkConnection link, bool halfCloses) : IPumpSink
    {
        public void Data(Span<byte> frame) => link.SendFramed(BulkFrameKind.Data, frame);

        public void End()
        {
            bool detachInstead, complete;
            lock (standIn._ends)
            {
                detachInstead = standIn._movedOn.Task.IsCompleted;
                standIn._detaching |= detachInstead;
                standIn._sentEof = !detachInstead;
                // A half-closing socket keeps its link open (for what the home still sends, or a later detach).
                complete = !detachInstead && (!halfCloses || standIn._receivedEof);
            }

            try
            {
                link.Send(detachInstead ? BulkFrameKind.Detach : BulkFrameKind.Eof);
                if (complete)
                {
                    link.Send(BulkFrameKind.End);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
    }
}
