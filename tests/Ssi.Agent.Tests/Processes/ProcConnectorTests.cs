using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ProcConnectorTests
{
    [Fact]
    public void Disposing_twice_leaves_alone_the_descriptor_that_took_the_number_since()
    {
        var connector = ProcConnector.Open("/proc/self/ns/net", TimeSpan.FromMilliseconds(100));
        connector.Dispose();
        var (read, write) = FileDescriptor.Pipe(); // the lowest free numbers: the connector's among them
        try
        {
            connector.Dispose();

            FileDescriptor.WriteAll(write, [42]);
            var buffer = new byte[1];
            Assert.Equal(1, FileDescriptor.Read(read, buffer));
            Assert.Equal(42, buffer[0]);
        }
        finally
        {
            FileDescriptor.Close(read);
            FileDescriptor.Close(write);
        }
    }
}
