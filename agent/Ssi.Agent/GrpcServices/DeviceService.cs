using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Devices;
using Ssi.Agent.Hosting;

namespace Ssi.Agent.GrpcServices;

/// <summary>The Device gRPC service: this node's exported devices, used by other nodes' sessions.</summary>
internal sealed class DeviceService(
    DeviceExportTable exports,
    DevicePoller poller,
    DeviceRegistry registry,
    Microsoft.Extensions.Options.IOptions<AgentOptions> agent,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<DeviceService> logger) : Contracts.V1.Device.DeviceBase
{
    public override Task<ListDevicesResponse> ListDevices(ListDevicesRequest request, ServerCallContext context)
    {
        var response = new ListDevicesResponse { Node = agent.Value.Node };
        foreach (var export in exports.Resolve())
        {
            var device = new ExportedDevice
            {
                Name = export.Name,
                Path = export.Path,
                Major = export.Major,
                Minor = export.Minor,
                Mode = export.Mode,
                Uid = export.Uid,
                Gid = export.Gid,
            };
            device.Openers.AddRange(registry.OpenersOf(export.Path).Select(o => new DeviceOpener { Node = o.Node, Pid = o.Pid, Command = o.Command }));
            response.Devices.Add(device);
        }

        return Task.FromResult(response);
    }

    public override async Task Session(IAsyncStreamReader<DeviceCall> requestStream, IServerStreamWriter<DeviceEvent> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) || requestStream.Current.OpCase != DeviceCall.OpOneofCase.Hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a device session starts with hello"));
        }

        // Replies of calls that completed later come from other threads: one writer drains them in order.
        // The session lasts while the peer keeps it and this agent runs: a stopping agent ends it at
        // once (the peer's handles then fail with EIO) instead of holding its shutdown.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var replies = Channel.CreateUnbounded<DeviceEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var session = new DeviceSession(requestStream.Current.Hello.Node, exports, poller, registry, e => replies.Writer.TryWrite(e), logger);
        var writer = WriteAsync(replies.Reader, responseStream, ended.Token);
        try
        {
            while (await requestStream.MoveNext(ended.Token).ConfigureAwait(false))
            {
                if (session.Run(requestStream.Current) is { } reply)
                {
                    replies.Writer.TryWrite(reply);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
        {
            // the peer went away
        }
        finally
        {
            replies.Writer.TryComplete();
        }

        await writer.ConfigureAwait(false);
    }

    private static async Task WriteAsync(ChannelReader<DeviceEvent> replies, IServerStreamWriter<DeviceEvent> stream, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var reply in replies.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await stream.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // the peer went away; its handles are closed with the session
        }
    }
}
