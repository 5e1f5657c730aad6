using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Ssi.Kubectl.Commands;

namespace Ssi.Operator.Tests.Kubectl;

/// <summary>
/// The plugin's side of the Kubernetes port-forward framing (v4.channel.k8s.io), against a server side
/// written here byte by byte: channel 0 data, channel 1 errors, each opened by the port (2 bytes,
/// little-endian).
/// </summary>
public sealed class PortForwardStreamTests : IAsyncLifetime
{
    private const int Port = 7443;
    private static readonly byte[] PortBytes = [0x13, 0x1d];
    private WebSocket _server = null!;
    private PortForwardStream _stream = null!;

    public async Task InitializeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        _server = WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true, SubProtocol = PortForwardStream.Subprotocol });
        _stream = new PortForwardStream(WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { SubProtocol = PortForwardStream.Subprotocol }), "pod ssi/agent", Port);
    }

    public async Task DisposeAsync()
    {
        await _stream.DisposeAsync();
        _server.Dispose();
    }

    private Task ServerSendsAsync(params byte[] message) => _server.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);

    private async Task<string> ReadAsync(int count)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    [Fact]
    public async Task Reads_the_data_channel_after_the_port_that_opens_each_channel()
    {
        await ServerSendsAsync([0, .. PortBytes]);
        await ServerSendsAsync([1, .. PortBytes]);
        await ServerSendsAsync([0, .. "hel"u8]);
        await ServerSendsAsync([0, .. "lo"u8]);

        Assert.Equal("hello", await ReadAsync(5));
    }

    [Fact]
    public async Task Data_in_the_message_that_names_the_port_is_kept()
    {
        await ServerSendsAsync([0, .. PortBytes, .. "hi"u8]);

        Assert.Equal("hi", await ReadAsync(2));
    }

    [Fact]
    public async Task Writes_one_data_channel_message_per_write()
    {
        await _stream.WriteAsync("ping"u8.ToArray());

        var buffer = new byte[16];
        var received = await _server.ReceiveAsync(buffer, CancellationToken.None);
        Assert.True(received.EndOfMessage);
        Assert.Equal([0, .. "ping"u8], buffer[..received.Count]);
    }

    [Fact]
    public async Task Text_on_the_error_channel_fails_the_read_with_it()
    {
        await ServerSendsAsync([0, .. PortBytes]);
        await ServerSendsAsync([1, .. PortBytes]);
        await ServerSendsAsync([1, .. "dial tcp 10.0.0.5:7443: connection refused"u8]);

        var e = await Assert.ThrowsAsync<IOException>(() => _stream.ReadAsync(new byte[8]).AsTask());
        Assert.Equal("port-forward to pod ssi/agent:7443 failed: dial tcp 10.0.0.5:7443: connection refused", e.Message);
    }

    [Fact]
    public async Task A_channel_that_does_not_start_with_the_port_is_refused()
    {
        await ServerSendsAsync([0, 0x50, 0x00, .. "x"u8]);

        var e = await Assert.ThrowsAsync<IOException>(() => _stream.ReadAsync(new byte[8]).AsTask());
        Assert.Contains("did not start with port 7443", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_end_of_the_WebSocket_is_the_end_of_the_stream()
    {
        await ServerSendsAsync([0, .. PortBytes, .. "z"u8]);
        await _server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        Assert.Equal("z", await ReadAsync(1));
        Assert.Equal(0, await _stream.ReadAsync(new byte[8]));
    }

    [Fact]
    public async Task Disposing_the_stream_closes_the_WebSocket()
    {
        await _stream.DisposeAsync();

        var received = await _server.ReceiveAsync(new byte[16], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, received.CloseStatus);
    }
}
