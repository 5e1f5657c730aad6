using System.Net;
using System.Net.Http.Headers;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.V1;
using MigrationClient = Ssi.Agent.Contracts.V1.Migration.MigrationClient;

namespace Ssi.Orchestration.Migration;

/// <summary>
/// Makes each call the coordinator makes while a workload is frozen (checkpoint reply, restore,
/// commit, resume) once against an in-memory channel, before anything is frozen. A fresh process
/// (the `ssi` CLI, NativeAOT) otherwise builds the generic instantiations of a call type the first
/// time it makes one (`perf`: the runtime's type loader), 3-4 ms per call, inside the freeze. Once
/// per process; nothing leaves it.
/// </summary>
internal static class FreezeCallWarmup
{
    private static readonly Lock s_gate = new();
    private static Task? s_done;

    public static Task RunOnceAsync()
    {
        lock (s_gate)
        {
            return s_done ??= RunAsync();
        }
    }

    private static async Task RunAsync()
    {
        try
        {
            await CallEachAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a head start: a migration never fails for it.
        }
    }

    internal static async Task CallEachAsync()
    {
        using var channel = GrpcChannel.ForAddress("http://warmup.invalid", new GrpcChannelOptions { HttpHandler = new EmptyReplies(), DisposeHttpClient = true });
        var client = new MigrationClient(channel.Intercept(headers => headers));
        await client.CheckpointAsync(new CheckpointRequest()).ConfigureAwait(false);
        await client.RestoreAsync(new RestoreRequest { Plan = new MigrationPlan() }).ConfigureAwait(false);
        await client.CommitAsync(new AttemptRequest()).ConfigureAwait(false);
        await client.ResumeAsync(new AttemptRequest()).ConfigureAwait(false);
    }

    /// <summary>Answers every call with an empty message and status OK, as a gRPC server would over HTTP/2.</summary>
    private sealed class EmptyReplies : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } sent)
            {
                _ = await sent.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false); // serializes the request
            }

            var content = new ByteArrayContent([0, 0, 0, 0, 0]); // not compressed, length 0
            content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = content, RequestMessage = request };
            response.TrailingHeaders.Add("grpc-status", "0");
            return response;
        }
    }
}
