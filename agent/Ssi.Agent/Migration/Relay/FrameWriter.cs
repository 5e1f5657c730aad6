using Grpc.Core;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Agent.Migration.Relay;

/// <summary>Serializes writes to one relay stream (gRPC allows one write at a time).</summary>
internal sealed class FrameWriter(IAsyncStreamWriter<RelayFrame> stream) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task WriteAsync(RelayFrame frame, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
