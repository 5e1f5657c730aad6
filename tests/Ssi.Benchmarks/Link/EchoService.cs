using Google.Protobuf;
using Grpc.Core;

namespace Ssi.Benchmarks.Link;

/// <summary>Answers every message with a reply of a lookup's size.</summary>
internal sealed class EchoService : Echo.EchoBase
{
    private static readonly EchoMessage Reply = new() { Data = ByteString.CopyFrom(new byte[LinkTransportBench.ReplySize]) };

    public override Task<EchoMessage> Unary(EchoMessage request, ServerCallContext context) => Task.FromResult(Reply);

    public override async Task Stream(IAsyncStreamReader<EchoMessage> requestStream, IServerStreamWriter<EchoMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(Reply);
        }
    }
}
