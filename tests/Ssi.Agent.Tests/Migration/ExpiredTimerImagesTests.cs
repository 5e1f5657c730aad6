using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

/// <summary>files.img entries of timerfds, as CRIU writes them (file_entry with a timerfd_entry), before and after the fix.</summary>
public sealed class ExpiredTimerImagesTests
{
    private static readonly byte[] Head = [0x54, 0x50, 0x40, 0x56, 0xa9, 0x8a, 0x14, 0x56];

    /// <summary>timerfd_entry: id, flags, fown, clockid, ticks, settime_flags, vsec, vnsec, isec, insec.</summary>
    private static byte[] Timer(ulong vsec, ulong vnsec, ulong isec, ulong insec, ulong ticks = 1) => ProtoWire.Write(
    [
        ProtoField.Number32(1, 7),
        ProtoField.Number32(2, 2),
        ProtoField.Bytes(3, ProtoWire.Write([ProtoField.Number32(1, 0), ProtoField.Number32(2, 0), ProtoField.Number32(3, 0), ProtoField.Number32(4, 0), ProtoField.Number32(5, 0)])),
        ProtoField.Number32(4, 1),
        ProtoField.Varint64(5, ticks),
        ProtoField.Number32(6, 0),
        ProtoField.Varint64(7, vsec),
        ProtoField.Varint64(8, vnsec),
        ProtoField.Varint64(9, isec),
        ProtoField.Varint64(10, insec),
    ]);

    private static byte[] TimerFile(uint id, byte[] timer) => ProtoWire.Write([ProtoField.Number32(1, 17), ProtoField.Number32(2, id), ProtoField.Bytes(12, timer)]);

    private static byte[] EventFile(uint id) => ProtoWire.Write([ProtoField.Number32(1, 6), ProtoField.Number32(2, id), ProtoField.Bytes(8, ProtoWire.Write([ProtoField.Number32(1, id)]))]);

    private static byte[] Image(params byte[][] entries) => new CriuImage(Head, [.. entries.Select(e => (ReadOnlyMemory<byte>)e)]).ToBytes();

    private static (ulong Vsec, ulong Vnsec, ulong Isec, ulong Insec, ulong Ticks) TimerOf(ReadOnlyMemory<byte> fileEntry)
    {
        var timer = ProtoWire.Parse(ProtoWire.Message(ProtoWire.Parse(fileEntry), 12)!.Value);
        return (ProtoWire.Varint(timer, 7)!.Value, ProtoWire.Varint(timer, 8)!.Value, ProtoWire.Varint(timer, 9)!.Value, ProtoWire.Varint(timer, 10)!.Value, ProtoWire.Varint(timer, 5)!.Value);
    }

    [Fact]
    public void An_expired_periodic_timer_gets_its_interval_as_value_and_keeps_its_ticks()
    {
        var (image, rearmed) = ExpiredTimerImages.Rewrite(Image(EventFile(3), TimerFile(7, Timer(0, 0, 2, 100_000_000, ticks: 3))));

        Assert.Equal(1, rearmed);
        var entries = CriuImage.Parse(image).Entries;
        Assert.Equal(EventFile(3), entries[0].ToArray());
        Assert.Equal((2UL, 100_000_000UL, 2UL, 100_000_000UL, 3UL), TimerOf(entries[1]));
        Assert.Equal(Head, image[..8]);
    }

    [Fact]
    public void Running_timers_and_expired_one_shot_timers_are_left_as_they_are()
    {
        var original = Image(TimerFile(1, Timer(0, 40_000_000, 0, 50_000_000)), TimerFile(2, Timer(0, 0, 0, 0)), EventFile(3));

        var (image, rearmed) = ExpiredTimerImages.Rewrite(original);

        Assert.Equal(0, rearmed);
        Assert.Same(original, image);
    }

    [Fact]
    public void A_dump_without_files_img_is_left_alone()
    {
        var directory = Directory.CreateTempSubdirectory("ssi-timer-test").FullName;
        try
        {
            Assert.Equal(0, ExpiredTimerImages.Apply(directory));
            File.WriteAllBytes(Path.Combine(directory, "files.img"), Image(TimerFile(1, Timer(0, 0, 0, 50_000_000))));
            Assert.Equal(1, ExpiredTimerImages.Apply(directory));
            Assert.Equal((0UL, 50_000_000UL, 0UL, 50_000_000UL, 1UL), TimerOf(CriuImage.Parse(File.ReadAllBytes(Path.Combine(directory, "files.img"))).Entries[0]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
