using Ssi.Agent.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class LocalPidAllocatorTests
{
    [Fact]
    public void Numbers_are_never_reused_across_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("ssi-pids").FullName;
        try
        {
            var first = new LocalPidAllocator(directory);
            var before = Enumerable.Range(0, 5).Select(_ => first.Next()).ToList();
            var second = new LocalPidAllocator(directory);

            var after = second.Next();

            Assert.Equal([1, 2, 3, 4, 5], before);
            Assert.True(after > before.Max(), $"{after} after {before.Max()}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Without_a_state_directory_numbers_start_at_one()
    {
        Assert.Equal(1, new LocalPidAllocator(null).Next());
    }
}
