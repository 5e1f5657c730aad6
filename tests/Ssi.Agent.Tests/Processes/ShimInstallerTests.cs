using Ssi.Agent.Processes;

namespace Ssi.Agent.Tests.Processes;

/// <summary>The copy of the workload init that landing pods run from the node.</summary>
public sealed class ShimInstallerTests
{
    [Fact]
    public void The_shim_is_copied_executable_once_and_replaced_when_it_changes()
    {
        var root = Directory.CreateTempSubdirectory("ssi-shim-install").FullName;
        try
        {
            var shim = Path.Combine(root, "source-shim");
            File.WriteAllBytes(shim, [1, 2, 3]);
            var directory = Path.Combine(root, "run", "bin");

            var installed = ShimInstaller.Install(shim, directory);

            Assert.Equal(Path.Combine(directory, "ssi-shim"), installed);
            Assert.Equal([1, 2, 3], File.ReadAllBytes(installed!));
            Assert.True(File.GetUnixFileMode(installed!).HasFlag(UnixFileMode.OtherExecute));
            Assert.Null(ShimInstaller.Install(shim, directory));

            File.WriteAllBytes(shim, [1, 2, 4]);
            Assert.NotNull(ShimInstaller.Install(shim, directory));
            Assert.Equal([1, 2, 4], File.ReadAllBytes(installed!));
            Assert.Equal(["ssi-shim"], Directory.GetFiles(directory).Select(Path.GetFileName));
            Assert.Throws<FileNotFoundException>(() => ShimInstaller.Install(Path.Combine(root, "missing"), directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
