using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ShimReportReceiverTests
{
    [Fact]
    public void Disposing_twice_closes_the_socket_once_and_leaves_a_descriptor_opened_since_alone()
    {
        var directory = Directory.CreateTempSubdirectory("ssi-shim-receiver").FullName;
        try
        {
            var receiver = ShimReportReceiver.Bind(Path.Combine(directory, "shim.sock"));
            receiver.Dispose();
            Assert.False(File.Exists(Path.Combine(directory, "shim.sock")));

            // The lowest free number is the one the socket had: a second close would close this file.
            using var file = File.OpenHandle(Path.Combine(directory, "after"), FileMode.Create, FileAccess.ReadWrite);
            receiver.Dispose();

            RandomAccess.Write(file, "still open"u8, 0);
            Assert.Equal(10, RandomAccess.GetLength(file));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
