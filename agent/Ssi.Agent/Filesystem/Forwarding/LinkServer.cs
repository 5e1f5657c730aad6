using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Filesystem.Coherency;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// Takes filesystem links on the agent's own port: a TLS connection (the same certificates and client
/// checks as gRPC) whose ALPN protocol is <see cref="LinkFrame.Alpn"/> is served here instead of by HTTP/2.
/// </summary>
internal sealed class LinkServer(FilesystemRole role, CoherencyHub hub, IHostApplicationLifetime lifetime, ILogger<LinkServer> logger)
{
    private static readonly byte[] AlpnBytes = System.Text.Encoding.ASCII.GetBytes(LinkFrame.Alpn);

    /// <summary>Whether <paramref name="connection"/> negotiated the filesystem link.</summary>
    public static bool IsLink(ConnectionContext connection) =>
        connection?.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual(AlpnBytes) == true;

    public async Task ServeAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stream = connection.Features.Get<ISslStreamFeature>()?.SslStream
            ?? throw new InvalidOperationException("a filesystem link without its TLS stream");
        var dispatcher = role.Dispatcher;
        if (dispatcher is null)
        {
            const string reason = "this node is not the home of the shared filesystem (or it is not mounted yet)";
            FsLog.LinkRefused(logger, reason);
            var buffer = new byte[1024];
            await stream.WriteAsync(buffer.AsMemory(0, LinkFrame.Refused(buffer, reason))).ConfigureAwait(false);
            return;
        }

        var link = new RemoteNodeLink(stream, dispatcher, hub, logger);
        using var stopping = lifetime.ApplicationStopping.Register(link.Close);
        using var closed = connection.ConnectionClosed.Register(link.Close);
        await link.RunAsync().ConfigureAwait(false);
    }
}
