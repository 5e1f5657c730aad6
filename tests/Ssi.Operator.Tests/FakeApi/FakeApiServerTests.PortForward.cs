using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Ssi.Operator.Tests.FakeApi;

/// <summary>
/// The fake API server's <c>pods/{name}/portforward</c>, opened by the real client and read byte by
/// byte: the Kubernetes framing (channel byte; per port a data and an error channel opened by the port,
/// 2 bytes little-endian) carrying a TCP connection to the pod's IP.
/// </summary>
public sealed partial class FakeApiServerTests
{
    /// <summary>A pod whose IP (TEST-NET-1) leads to <paramref name="listener"/> for the fake's port-forwards only.</summary>
    private async Task<int> PodListeningAsync(TcpListener listener)
    {
        listener.Start();
        await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "echo" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] } }, "default");
        _server.SetStatus("", "pods", "default", "echo", new JsonObject { ["podIP"] = "192.0.2.7" });
        _server.RoutePodIp("192.0.2.7", IPAddress.Loopback);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<byte[]> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.True(result.EndOfMessage);
        return buffer[..result.Count];
    }

    private static byte[] Port(int port) => [(byte)(port & 0xff), (byte)(port >> 8)];

    [Fact]
    public async Task A_port_forward_carries_bytes_both_ways_with_the_Kubernetes_framing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        var port = await PodListeningAsync(listener);
        using var socket = await _client.WebSocketNamespacedPodPortForwardAsync("echo", "default", [port], "v4.channel.k8s.io");
        using var pod = await listener.AcceptTcpClientAsync();
        var podStream = pod.GetStream();

        var data = await ReceiveAsync(socket);
        var errors = await ReceiveAsync(socket);
        await socket.SendAsync((byte[])[0, .. "to the pod"u8], WebSocketMessageType.Binary, true, CancellationToken.None);
        var atPod = new byte[10];
        await podStream.ReadExactlyAsync(atPod);
        await podStream.WriteAsync("from the pod"u8.ToArray());
        var back = await ReceiveAsync(socket);

        Assert.Equal("v4.channel.k8s.io", socket.SubProtocol);
        Assert.Equal([0, .. Port(port)], data);
        Assert.Equal([1, .. Port(port)], errors);
        Assert.Equal("to the pod", Encoding.ASCII.GetString(atPod));
        Assert.Equal([0, .. "from the pod"u8], back);
        Assert.Equal(1, _server.Requests.Of("create", "pods/portforward"));
    }

    [Fact]
    public async Task A_port_the_pod_does_not_accept_is_reported_on_the_error_channel()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        var closed = await PodListeningAsync(listener);
        listener.Stop();
        using var socket = await _client.WebSocketNamespacedPodPortForwardAsync("echo", "default", [closed], "v4.channel.k8s.io");

        await ReceiveAsync(socket);
        await ReceiveAsync(socket);
        var error = await ReceiveAsync(socket);

        Assert.Equal(1, error[0]);
        Assert.StartsWith($"error forwarding port {closed} to pod", Encoding.UTF8.GetString(error.AsSpan(1)), StringComparison.Ordinal);
    }
}
