namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// Keeps periodic timerfds armed across a move. A periodic timer that expired while its process
/// had not read it yet is not running in the kernel (it is re-armed by the read), so
/// /proc/PID/fdinfo reports <c>it_value: (0, 0)</c> with the interval and the pending ticks; CRIU
/// restores that with timerfd_settime(it_value = 0), which disarms the timer: the process gets its
/// pending ticks and then no tick ever again. In files.img such a timer's value becomes its
/// interval, so it comes back armed with its next expiry at most one period late (the pending ticks
/// are restored as they were). One-shot timers (interval 0) are left alone: disarmed is right.
/// </summary>
internal static class ExpiredTimerImages
{
    // fd_types TIMERFD in CRIU's fdinfo.proto; file_entry: type = 1, tfd = 12
    private const uint TimerfdType = 17;
    private const int FileType = 1;
    private const int FileTimerfd = 12;

    // timerfd_entry: vsec = 7, vnsec = 8, isec = 9, insec = 10
    private const int ValueSeconds = 7;
    private const int ValueNanoseconds = 8;
    private const int IntervalSeconds = 9;
    private const int IntervalNanoseconds = 10;

    /// <summary>Rewrites files.img in <paramref name="directory"/> if it holds such a timer; returns how many were re-armed.</summary>
    public static int Apply(string directory)
    {
        var path = Path.Combine(directory, "files.img");
        if (!File.Exists(path))
        {
            return 0;
        }

        var (image, rearmed) = Rewrite(File.ReadAllBytes(path));
        if (rearmed > 0)
        {
            CriuImage.Replace(path, image);
        }

        return rearmed;
    }

    /// <summary>files.img with every expired periodic timerfd given its interval as value; how many there were.</summary>
    public static (byte[] Image, int Rearmed) Rewrite(byte[] image)
    {
        var parsed = CriuImage.Parse(image);
        var rearmed = 0;
        var entries = new List<ReadOnlyMemory<byte>>(parsed.Entries.Count);
        foreach (var entry in parsed.Entries)
        {
            var fields = ProtoWire.Parse(entry);
            if (ProtoWire.Varint(fields, FileType) == TimerfdType && ProtoWire.Message(fields, FileTimerfd) is { } timerBytes
                && Rearm(ProtoWire.Parse(timerBytes)) is { } timer)
            {
                rearmed++;
                entries.Add(ProtoWire.Write(fields.Select(f => f.Number == FileTimerfd ? ProtoField.Bytes(FileTimerfd, timer) : f)));
                continue;
            }

            entries.Add(entry);
        }

        return rearmed == 0 ? (image, 0) : (new CriuImage(parsed.Head, entries).ToBytes(), rearmed);
    }

    /// <summary>The timer with its value set to its interval, or null when it needs nothing.</summary>
    private static byte[]? Rearm(List<ProtoField> timer)
    {
        var value = (ProtoWire.Varint(timer, ValueSeconds) ?? 0, ProtoWire.Varint(timer, ValueNanoseconds) ?? 0);
        var interval = (Seconds: ProtoWire.Varint(timer, IntervalSeconds) ?? 0, Nanoseconds: ProtoWire.Varint(timer, IntervalNanoseconds) ?? 0);
        if (value != (0, 0) || interval == (0, 0))
        {
            return null;
        }

        return ProtoWire.Write(timer.Select(f => f.Number switch
        {
            ValueSeconds => ProtoField.Varint64(ValueSeconds, interval.Seconds),
            ValueNanoseconds => ProtoField.Varint64(ValueNanoseconds, interval.Nanoseconds),
            _ => f,
        }));
    }
}
