using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

public sealed class ImageDirectoryTests
{
    [Fact]
    public async Task Two_deletes_at_once_both_succeed_and_the_images_are_gone()
    {
        var root = Directory.CreateTempSubdirectory("ssi-images-").FullName;
        try
        {
            var path = ImageDirectory.Create(root, "node1", "m1");
            for (var i = 0; i < 200; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(path, $"core-{i}.img"), new byte[4096]);
            }

            await Task.WhenAll(Task.Run(() => ImageDirectory.Delete(path)), Task.Run(() => ImageDirectory.Delete(path)));

            Assert.False(Directory.Exists(path));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
