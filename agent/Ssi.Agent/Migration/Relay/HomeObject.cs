using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// An object that stayed on this node when the process holding it moved away (the other end of a
/// pipe, a terminal, a stream socket's peer), kept alive by a duplicate of the process's descriptor.
/// Stand-ins on other nodes attach to it one at a time: a stand-in that moves on detaches (and gives
/// back what it had received but not delivered) before the next one is served, so bytes keep their
/// order across any number of moves. Nothing is read or written before the migration commits.
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

    public async Task ServeAsync(IAsyncStreamReader<RelayFrame> requests, IServerStreamWriter<RelayFrame> responses, string node, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            await _activated.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            AttachedNode = node;
            using var writer = new FrameWriter(responses);
            if (_finished.Task.IsCompleted)
            {
                await writer.WriteAsync(new RelayFrame { Eof = true }, cancellationToken).ConfigureAwait(false);
                return;
            }

            await writer.WriteAsync(new RelayFrame { Active = true }, cancellationToken).ConfigureAwait(false);
            using var attachment = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var detach = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sender = Direction.HomeSends() ? SendAsync(writer, detach.Task, attachment.Token) : Task.CompletedTask;
            var detached = false;
            try
            {
                while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    var frame = requests.Current;
                    switch (frame.PayloadCase)
                    {
                        case RelayFrame.PayloadOneofCase.Data when detached || Direction == RelayDirection.Read:
                            _returned.Add(frame.Data.ToByteArray());
                            break;
                        case RelayFrame.PayloadOneofCase.Data:
                            if (!FileDescriptor.TryWriteAll(_fd, frame.Data.Span))
                            {
                                await writer.WriteAsync(new RelayFrame { Closed = true }, cancellationToken).ConfigureAwait(false);
                                Finish("the reader on this node closed");
                            }

                            break;
                        case RelayFrame.PayloadOneofCase.Eof when RelayKinds.HalfCloses(Kind):
                            // The moved process shut its socket for writing (or closed it): the peer here
                            // reads end of file and may still answer, until its side ends too.
                            FileDescriptor.TryShutdownWrite(_fd);
                            if (EndOneWay(inbound: true))
                            {
                                Finish("both ways ended");
                            }

                            break;
                        case RelayFrame.PayloadOneofCase.Eof:
                            // The moved process closed its end (or exited): close ours, the peer here sees end of file.
                            Finish("end of file from the moved process");
                            break;
                        case RelayFrame.PayloadOneofCase.Closed:
                            Finish("the moved process closed its end");
                            break;
                        case RelayFrame.PayloadOneofCase.Detach:
                            detached = true;
                            detach.TrySetResult();
                            await sender.ConfigureAwait(false);
                            await writer.WriteAsync(new RelayFrame { Detach = true }, cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }
            }
            finally
            {
                await attachment.CancelAsync().ConfigureAwait(false);
                await sender.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
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

    private async Task SendAsync(FrameWriter writer, Task detach, CancellationToken cancellationToken)
    {
        var pump = _pump!;
        foreach (var chunk in _returned.ToList())
        {
            await writer.WriteAsync(new RelayFrame { Data = ByteString.CopyFrom(chunk) }, cancellationToken).ConfigureAwait(false);
            _returned.RemoveAt(0);
        }

        while (!_finished.Task.IsCompleted)
        {
            var readable = pump.Chunks.WaitToReadAsync(cancellationToken).AsTask();
            var tick = Kind == "tty" ? Task.Delay(250, cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
            var done = await Task.WhenAny(readable, detach, tick).ConfigureAwait(false);
            if (done == detach)
            {
                return;
            }

            if (done == tick)
            {
                await SendWindowIfChangedAsync(writer, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!await readable.ConfigureAwait(false) || !pump.Chunks.TryPeek(out var chunk))
            {
                continue;
            }

            if (chunk is null)
            {
                await writer.WriteAsync(new RelayFrame { Eof = true }, cancellationToken).ConfigureAwait(false);
                if (RelayKinds.HalfCloses(Kind) && !EndOneWay(inbound: false))
                {
                    // Half-closed here: the moved process reads end of file and may still write.
                    return;
                }

                Finish("end of file on this node");
                return;
            }

            await writer.WriteAsync(new RelayFrame { Data = ByteString.CopyFrom(chunk) }, cancellationToken).ConfigureAwait(false);
            pump.Chunks.TryRead(out _);
        }
    }

    private async Task SendWindowIfChangedAsync(FrameWriter writer, CancellationToken cancellationToken)
    {
        if (Pty.GetWindowSize(_fd) is { } window && window != _window)
        {
            _window = window;
            await writer.WriteAsync(new RelayFrame { Resize = new WindowSize { Rows = window.Rows, Columns = window.Columns } }, cancellationToken).ConfigureAwait(false);
        }
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
}
