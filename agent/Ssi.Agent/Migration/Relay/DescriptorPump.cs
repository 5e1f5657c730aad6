using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Native;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// Reads a descriptor on a thread of its own, one chunk of up to 1 MiB at a time, and hands each
/// chunk to the attached sink (a relay link) straight from its buffer, behind room for the frame
/// header: no copy between the descriptor and TLS. While no sink is attached it reads at most one
/// chunk ahead, so unread data stays in the kernel while nobody takes it; a chunk a sink could not
/// take, and end of file, go to the next sink. Stops when disposed.
/// </summary>
internal sealed class DescriptorPump : IDisposable
{
    public const int ChunkSize = BulkFrame.MaxPayload;
    private readonly object _gate = new();
    private readonly int _fd;
    private readonly string _name;
    private IPumpSink? _sink;
    private volatile bool _stopped;
    private Thread? _thread;

    public DescriptorPump(int fd, string name)
    {
        _fd = fd;
        _name = name;
    }

    public void Start()
    {
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = $"relay-{_name}" };
        _thread.Start();
    }

    /// <summary>From now on chunks go to <paramref name="sink"/>.</summary>
    public void Attach(IPumpSink sink)
    {
        lock (_gate)
        {
            _sink = sink;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Stops delivering to the current sink; returns once no delivery is in progress.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _sink = null;
        }
    }

    private void Run()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BulkFrame.HeaderSize + ChunkSize);
        var length = -1; // bytes read and not yet delivered; 0: end of file; -1: nothing
        while (!_stopped)
        {
            if (length < 0)
            {
                try
                {
                    if (!Readiness.WaitReadable(_fd, 200))
                    {
                        continue;
                    }

                    length = FileDescriptor.Read(_fd, buffer.AsSpan(BulkFrame.HeaderSize));
                }
                catch (NativeException)
                {
                    length = 0; // the descriptor failed (or was closed): its readers see an end
                }
            }

            lock (_gate)
            {
                while (_sink is null && !_stopped)
                {
                    Monitor.Wait(_gate, 200);
                }

                if (_stopped || _sink is not { } sink)
                {
                    return;
                }

                if (length == 0)
                {
                    // The end goes to every sink that comes, once.
                    _sink = null;
                    sink.End();
                    continue;
                }

                try
                {
                    sink.Data(buffer.AsSpan(0, BulkFrame.HeaderSize + length));
                    length = -1;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    _sink = null; // its link is gone; the chunk waits for the next
                }
            }
        }
    }

    public void Dispose()
    {
        _stopped = true; // seen within 200 ms (no lock here: a delivery may be blocked on its link)
        if (_thread is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join(TimeSpan.FromSeconds(1));
        }
    }
}
