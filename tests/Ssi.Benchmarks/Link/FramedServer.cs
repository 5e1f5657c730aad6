using System.Buffers.Binary;

namespace Ssi.Benchmarks.Link;

/// <summary>The server side of the framed transports: u32-length frames, each answered with a reply of a lookup's size.</summary>
internal static class FramedServer
{
    /// <summary>Blocking reads on the caller's thread; each frame answered there, or from a pool thread.</summary>
    public static void Serve(Stream stream, bool poolHop)
    {
        var reply = Reply();
        var writeLock = new Lock();
        void Answer()
        {
            lock (writeLock)
            {
                stream.Write(reply);
            }
        }

        var buffer = new byte[64 * 1024];
        var have = 0;
        while (true)
        {
            var read = stream.Read(buffer, have, buffer.Length - have);
            if (read == 0)
            {
                return;
            }

            have = Frames(buffer, have + read, poolHop ? () => ThreadPool.UnsafeQueueUserWorkItem(_ => Answer(), null) : Answer);
        }
    }

    /// <summary>Asynchronous reads; each frame answered where it was read.</summary>
    public static async Task ServeAsync(Stream stream)
    {
        var reply = Reply();
        var buffer = new byte[64 * 1024];
        var have = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(have)).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            have = Frames(buffer, have + read, () => stream.Write(reply));
        }
    }

    /// <summary>Calls <paramref name="each"/> per whole frame in the first <paramref name="have"/> bytes; returns the bytes left (moved to the front).</summary>
    public static int Frames(byte[] buffer, int have, Action each)
    {
        var at = 0;
        while (have - at >= 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(at));
            if (have - at < length)
            {
                break;
            }

            at += length;
            each();
        }

        Buffer.BlockCopy(buffer, at, buffer, 0, have - at);
        return have - at;
    }

    private static byte[] Reply()
    {
        var reply = new byte[LinkTransportBench.ReplySize];
        BinaryPrimitives.WriteInt32LittleEndian(reply, reply.Length);
        return reply;
    }
}
