using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Ssi.Testing.FakeApiServer;

/// <summary>
/// One <c>pods/{name}/portforward</c> WebSocket session as the API server and the kubelet serve it
/// (subprotocols <c>v4.channel.k8s.io</c> and <c>portforward.k8s.io</c>, binary): the i-th requested port
/// has data channel 2i and error channel 2i+1, every message starts with its channel byte, and the
/// first message on each channel is the port number, 2 bytes little-endian. Each port is one TCP
/// connection to the pod, made when the session opens; when it cannot be made, the error channel
/// says why. The session ends when a pod connection ends or the client closes.
/// </summary>
internal sealed class FakePortForward(WebSocket socket, IReadOnlyList<int> ports)
{
    public static readonly string[] Subprotocols = ["v4.channel.k8s.io", "portforward.k8s.io"];

    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>Forwards <paramref name="ports"/> of the pod at <paramref name="podAddress"/> until either side ends.</summary>
    public async Task RunAsync(IPAddress podAddress, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connections = new Socket?[ports.Count];
        try
        {
            for (var i = 0; i < ports.Count; i++)
            {
                await SendAsync(DataChannel(i), PortPrefix(ports[i]), stop.Token).ConfigureAwait(false);
                await SendAsync(ErrorChannel(i), PortPrefix(ports[i]), stop.Token).ConfigureAwait(false);
            }

            var pumps = new List<Task>();
            for (var i = 0; i < ports.Count; i++)
            {
                var connection = new Socket(podAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                    await connection.ConnectAsync(new IPEndPoint(podAddress, ports[i]), connectTimeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException && !stop.IsCancellationRequested)
                {
                    connection.Dispose();
                    await SendAsync(ErrorChannel(i), Encoding.UTF8.GetBytes($"error forwarding port {ports[i]} to pod: dial tcp {podAddress}:{ports[i]}: {e.Message}"), stop.Token).ConfigureAwait(false);
                    continue;
                }

                connections[i] = connection;
                pumps.Add(FromPodAsync(connection, DataChannel(i), stop.Token));
            }

            if (pumps.Count == 0)
            {
                await CloseAsync(stop.Token).ConfigureAwait(false);
                return;
            }

            pumps.Add(ToPodsAsync(connections, stop.Token));
            await Task.WhenAny(pumps).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }

            await Task.WhenAll(pumps.Select(async p =>
            {
                try
                {
                    await p.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or WebSocketException or ObjectDisposedException)
                {
                }
            })).ConfigureAwait(false);
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }

            _sending.Dispose();
        }
    }

    internal static byte DataChannel(int portIndex) => (byte)(2 * portIndex);

    internal static byte ErrorChannel(int portIndex) => (byte)((2 * portIndex) + 1);

    internal static byte[] PortPrefix(int port)
    {
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(prefix, checked((ushort)port));
        return prefix;
    }

    /// <summary>The pod's bytes, as data-channel messages.</summary>
    private async Task FromPodAsync(Socket connection, byte channel, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            await SendAsync(channel, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The client's data-channel messages, to the pod connection of their port.</summary>
    private async Task ToPodsAsync(Socket?[] connections, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (length == 0)
            {
                continue;
            }

            var channel = buffer[0];
            if (channel % 2 == 0 && channel / 2 < connections.Length && connections[channel / 2] is { } connection)
            {
                for (var sent = 1; sent < length;)
                {
                    sent += await connection.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task SendAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var message = new byte[payload.Length + 1];
        message[0] = channel;
        payload.CopyTo(message.AsMemory(1));
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
            }
        }
    }
}
