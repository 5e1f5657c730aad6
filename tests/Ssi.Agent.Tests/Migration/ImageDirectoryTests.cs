using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

public sealed class ImageDirectoryTests
{
    [Fact]
    public async Task Images_deleted_later_are_gone_soon_and_a_second_delete_meanwhile_does_not_fail()
    {
        var root = Directory.CreateTempSubdirectory("ssi-images-").FullName;
        try
        {
            var path = ImageDirectory.Create(root, "node1", "m1");
            for (var i = 0; i < 200; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(path, $"core-{i}.img"), new byte[4096]);
            }

            ImageDirectory.DeleteLater(path);
            ImageDirectory.Delete(path); // a rollback's cleanup at the same moment

            for (var i = 0; i < 500 && Directory.Exists(path); i++)
            {
                await Task.Delay(10);
            }

            Assert.False(Directory.Exists(path));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
