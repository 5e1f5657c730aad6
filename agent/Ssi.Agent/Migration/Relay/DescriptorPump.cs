using System.Threading.Channels;
using Ssi.Agent.Native;

namespace Ssi.Agent.Migration.Relay;

/// <summary>
/// Reads a descriptor on a thread of its own into a small bounded channel (null marks end of file),
/// so that unread data stays in the kernel while nobody takes it. Stops when disposed.
/// </summary>
internal sealed class DescriptorPump : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly Channel<byte[]?> _chunks = Channel.CreateBounded<byte[]?>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
    private readonly int _fd;
    private readonly string _name;
    private volatile bool _stopped;
    private Thread? _thread;

    public DescriptorPump(int fd, string name)
    {
        _fd = fd;
        _name = name;
    }

    public ChannelReader<byte[]?> Chunks => _chunks.Reader;

    public void Start()
    {
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = $"relay-{_name}" };
        _thread.Start();
    }

    private void Run()
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (!_stopped)
            {
                if (!Readiness.WaitReadable(_fd, 200))
                {
                    continue;
                }

                var n = FileDescriptor.Read(_fd, buffer);
                if (!WriteBlocking(n == 0 ? null : buffer.AsSpan(0, n).ToArray()) || n == 0)
                {
                    return;
                }
            }
        }
        catch (NativeException)
        {
            WriteBlocking(null);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private bool WriteBlocking(byte[]? chunk)
    {
        while (!_stopped)
        {
            if (_chunks.Writer.TryWrite(chunk))
            {
                return true;
            }

            _chunks.Writer.WaitToWriteAsync().AsTask().Wait(200);
        }

        return false;
    }

    public void Dispose()
    {
        _stopped = true;
        _thread?.Join(TimeSpan.FromSeconds(1));
    }
}
