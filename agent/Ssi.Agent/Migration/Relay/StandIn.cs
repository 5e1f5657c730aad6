using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// The local object a migrated process got in place of one that stayed on its home node: a pipe,
/// a pty or a socket pair. The process holds one end; this agent holds the other and relays it to
/// the home agent's <see cref="HomeObject"/>. When the process moves on again, the stand-in
/// detaches so that the next node attaches to the home directly (no chain of relays).
/// </summary>
internal sealed class StandIn : IDisposable
{
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _movedOn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _agentEnd;
    private int _processCopy = -1;

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

    public async Task RunAsync(Contracts.V1.Migration.MigrationClient home, string node, CancellationToken cancellationToken)
    {
        using var call = home.Relay(cancellationToken: cancellationToken);
        using var writer = new FrameWriter(call.RequestStream);
        await writer.WriteAsync(new RelayFrame { Attach = new RelayAttach { ObjectId = ObjectId, Node = node } }, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) || call.ResponseStream.Current.PayloadCase != RelayFrame.PayloadOneofCase.Active)
        {
            // The object ended before this stand-in was served: the process sees end of file.
            return;
        }

        var undelivered = new List<byte[]>();
        var detaching = false;
        var halfCloses = RelayKinds.HalfCloses(Kind);
        var ends = new Lock();
        var (sentEof, receivedEof) = (false, false);
        using var pump = Direction.HomeReceives() ? new DescriptorPump(_agentEnd, Key) : null;
        pump?.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = pump is null ? Task.CompletedTask : SendAsync(pump, writer, stop.Token);
        try
        {
            var moveOn = _movedOn.Task.ContinueWith(
                async _ =>
                {
                    bool detachNow;
                    lock (ends)
                    {
                        detachNow = Direction == RelayDirection.Read || sentEof;
                        detaching |= detachNow;
                    }

                    if (detachNow)
                    {
                        // Nothing more comes out of the process (it only reads, or it shut its socket
                        // for writing): ask the home to stop sending now.
                        await writer.WriteAsync(new RelayFrame { Detach = true }, stop.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        // Let the process's last output drain: end of file arrives once its copy is closed.
                        FileDescriptor.Close(Interlocked.Exchange(ref _processCopy, -1));
                    }
                },
                stop.Token,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var frame = call.ResponseStream.Current;
                switch (frame.PayloadCase)
                {
                    case RelayFrame.PayloadOneofCase.Data when detaching:
                        undelivered.Add(frame.Data.ToByteArray());
                        break;
                    case RelayFrame.PayloadOneofCase.Data:
                        if (!FileDescriptor.TryWriteAll(_agentEnd, frame.Data.Span))
                        {
                            await writer.WriteAsync(new RelayFrame { Closed = true }, cancellationToken).ConfigureAwait(false);
                            return;
                        }

                        break;
                    case RelayFrame.PayloadOneofCase.Resize when Kind == "tty":
                        Pty.SetWindowSize(_agentEnd, (ushort)frame.Resize.Rows, (ushort)frame.Resize.Columns);
                        break;
                    case RelayFrame.PayloadOneofCase.Eof when halfCloses:
                    {
                        // The peer at home shut its side: the process reads end of file and may still write.
                        FileDescriptor.TryShutdownWrite(_agentEnd);
                        bool bothEnded;
                        lock (ends)
                        {
                            receivedEof = true;
                            bothEnded = sentEof;
                        }

                        if (bothEnded)
                        {
                            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                            return;
                        }

                        break;
                    }

                    case RelayFrame.PayloadOneofCase.Eof:
                    case RelayFrame.PayloadOneofCase.Closed:
                        // The home's side ended: the process sees end of file (or EPIPE on its next write).
                        return;
                    case RelayFrame.PayloadOneofCase.Detach:
                        await GiveBackAsync(writer, undelivered, cancellationToken).ConfigureAwait(false);
                        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                        MigrationLog.StandInDetached(_logger, Key, ObjectId, HomeNode);
                        return;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        async Task SendAsync(DescriptorPump source, FrameWriter to, CancellationToken token)
        {
            await foreach (var chunk in source.Chunks.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (chunk is null)
                {
                    bool detachInstead, complete;
                    lock (ends)
                    {
                        detachInstead = _movedOn.Task.IsCompleted;
                        detaching |= detachInstead;
                        sentEof = !detachInstead;
                        // A half-closing socket keeps its call open (for what the home still sends, or a later detach).
                        complete = !detachInstead && (!halfCloses || receivedEof);
                    }

                    await to.WriteAsync(detachInstead ? new RelayFrame { Detach = true } : new RelayFrame { Eof = true }, token).ConfigureAwait(false);
                    if (complete)
                    {
                        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    }

                    return;
                }

                await to.WriteAsync(new RelayFrame { Data = ByteString.CopyFrom(chunk) }, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Bytes the process never read: first what is still in its end, then what arrived after.</summary>
    private async Task GiveBackAsync(FrameWriter writer, List<byte[]> undelivered, CancellationToken cancellationToken)
    {
        var copy = Interlocked.Exchange(ref _processCopy, -1);
        if (copy >= 0 && Direction == RelayDirection.Read)
        {
            FileDescriptor.Close(Interlocked.Exchange(ref _agentEnd, -1)); // no writer left: the copy reads to end of file
            var buffer = new byte[64 * 1024];
            while (Readiness.WaitReadable(copy, 0))
            {
                var n = FileDescriptor.Read(copy, buffer);
                if (n == 0)
                {
                    break;
                }

                await writer.WriteAsync(new RelayFrame { Data = ByteString.CopyFrom(buffer, 0, n) }, cancellationToken).ConfigureAwait(false);
            }
        }

        FileDescriptor.Close(copy);
        foreach (var chunk in undelivered)
        {
            await writer.WriteAsync(new RelayFrame { Data = ByteString.CopyFrom(chunk) }, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        FileDescriptor.Close(Interlocked.Exchange(ref _agentEnd, -1));
        FileDescriptor.Close(Interlocked.Exchange(ref _processCopy, -1));
        _movedOn.TrySetCanceled();
    }
}
