using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using k8s;

namespace Ssi.Kubectl.Commands;

/// <summary>
/// One TCP connection to a pod's port carried by the API server (the <c>pods/portforward</c>
/// subresource over a WebSocket, subprotocol <c>v4.channel.k8s.io</c>). Every message starts with its
/// channel byte: channel 0 carries the data, channel 1 the API server's error text; the first message
/// on each channel is the port, 2 bytes little-endian, and nothing else. Writes go out on channel 0.
/// The API server only carries bytes: TLS over this stream still ends at the pod.
/// </summary>
internal sealed class PortForwardStream(WebSocket socket, string target, int port) : Stream
{
    public const string Subprotocol = "v4.channel.k8s.io";
    public const byte DataChannel = 0;
    public const byte ErrorChannel = 1;

    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly bool[] _sawPort = new bool[2];
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;

    /// <summary>Opens a port-forward to <paramref name="port"/> of pod <paramref name="ns"/>/<paramref name="pod"/>.</summary>
    public static async Task<PortForwardStream> OpenAsync(IKubernetes client, string ns, string pod, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var socket = await client.WebSocketNamespacedPodPortForwardAsync(pod, ns, [port], Subprotocol, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PortForwardStream(socket, $"pod {ns}/{pod}", port);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (_ended || !await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                _ended = true;
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _pending.Length);
        _pending[..count].CopyTo(buffer);
        _pending = _pending[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        var frame = new byte[buffer.Length + 1];
        frame[0] = DataChannel;
        buffer.CopyTo(frame.AsMemory(1));
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Says goodbye to the API server (a close frame, for at most a second), then lets go.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Abort();
            socket.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads one whole message; false when the WebSocket closed. Data lands in <see cref="_pending"/>.</summary>
    private async Task<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == _receive.Length)
            {
                throw new IOException($"port-forward to {target}:{port}: a message is longer than {_receive.Length} bytes");
            }

            try
            {
                result = await socket.ReceiveAsync(_receive.AsMemory(length), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e) when (e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
            {
                return false;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            length += result.Count;
        }
        while (!result.EndOfMessage);

        if (length == 0)
        {
            return true;
        }

        var channel = _receive[0];
        var payload = _receive.AsMemory(1, length - 1);
        if (channel > ErrorChannel)
        {
            throw new IOException($"port-forward to {target}:{port}: the API server sent channel {channel}, which one port does not have");
        }

        if (!_sawPort[channel])
        {
            // The first message of a channel names its port; the data (or error) follows it.
            if (payload.Length < 2 || BinaryPrimitives.ReadUInt16LittleEndian(payload.Span) != port)
            {
                throw new IOException($"port-forward to {target}:{port}: channel {channel} did not start with port {port}");
            }

            _sawPort[channel] = true;
            payload = payload[2..];
        }

        if (channel == ErrorChannel)
        {
            if (payload.Length > 0)
            {
                throw new IOException($"port-forward to {target}:{port} failed: {Encoding.UTF8.GetString(payload.Span)}");
            }

            return true;
        }

        _pending = payload;
        return true;
    }
}
