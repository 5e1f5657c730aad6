namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// The sending side of a link: whole frames, one writer at a time (a TLS stream takes one write at a
/// time, and frames must not interleave). Whoever holds <see cref="Lock"/> may also decide what to send
/// (the home computes attribute hints under it, so that they cannot overtake an invalidation).
/// </summary>
internal sealed class LinkWriter(Stream stream)
{
    public Lock Lock { get; } = new();

    /// <summary>Sends one frame; throws IOException (or ObjectDisposedException) when the link is gone.</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        lock (Lock)
        {
            stream.Write(frame);
        }
    }

    /// <summary>Sends one frame in two pieces (header, then payload), with nothing between them.</summary>
    public void Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        lock (Lock)
        {
            stream.Write(header);
            stream.Write(payload);
        }
    }

    /// <summary>Sends one frame while the caller already holds <see cref="Lock"/>.</summary>
    public void WriteHeld(ReadOnlySpan<byte> frame)
    {
        if (!Lock.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException("the link's lock is not held");
        }

        stream.Write(frame);
    }
}
