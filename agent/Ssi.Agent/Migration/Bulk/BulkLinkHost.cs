using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Security;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Takes this agent's bulk links (<see cref="BulkLinkListener"/>) and hands each to what its first
/// frame asks for: a stand-in attaching to an object kept here, or the images of a migration to here.
/// </summary>
internal sealed class BulkLinkHost(
    HomeObjectRegistry homes,
    MigrationTarget target,
    AgentCredentials credentials,
    ClientCertificatePolicy policy,
    AgentIdentity identity,
    IOptions<AgentOptions> options,
    ILogger<BulkLinkHost> logger) : IHostedService, IDisposable
{
    private BulkLinkListener? _listener;

    /// <summary>The port links are taken on (once started).</summary>
    public int Port => _listener?.Port ?? 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var endpoint = new IPEndPoint(IPAddress.Parse(o.ListenAddress), AgentPorts.Listen(o.Port, o.BulkPort, AgentPorts.BulkLinkOffset));
        _listener = new BulkLinkListener(endpoint, credentials, policy, Serve, logger);
        _listener.Start();
        BulkLog.Listening(logger, _listener.Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();

    private void Serve(BulkConnection link)
    {
        if (!link.Next(out var kind, out var payload))
        {
            return;
        }

        try
        {
            switch (kind)
            {
                case BulkFrameKind.Attach:
                    var (objectId, node) = BulkFrame.ReadAttach(payload);
                    if (homes.Find(objectId) is not { } home)
                    {
                        link.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, $"no relayed object {objectId} on node {identity.Node}"));
                        return;
                    }

                    home.Serve(link, node);
                    return;
                case BulkFrameKind.Images:
                    target.ReceiveImages(BulkFrame.ReadText(payload, kind), link);
                    return;
                default:
                    throw new BulkProtocolException($"a bulk link does not start with {kind}");
            }
        }
        catch (Exception e) when (e is not (IOException or ObjectDisposedException or OutOfMemoryException))
        {
            // A bug must cost one link, never the agent.
            BulkLog.LinkFailed(logger, e);
        }
    }
}
