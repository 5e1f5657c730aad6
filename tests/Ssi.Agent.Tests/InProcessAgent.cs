using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Ssi.Agent.Hosting;
using Ssi.Orchestration.Certificates;
using Ssi.Testing;

namespace Ssi.Agent.Tests;

/// <summary>A real agent host on 127.0.0.1 with a fresh cluster CA, for tests.</summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsAuthority;

    private InProcessAgent(WebApplication app, string node, string directory, ClusterCertificateAuthority authority, bool ownsAuthority, Uri address)
    {
        _app = app;
        Node = node;
        _ownsAuthority = ownsAuthority;
        Directory = directory;
        Authority = authority;
        Address = address;
    }

    public string Node { get; }

    public string Directory { get; }

    public ClusterCertificateAuthority Authority { get; }

    public Uri Address { get; }

    public Grpc.Net.Client.GrpcChannel Channel(string? node = null) =>
        Ssi.Agent.Contracts.Security.AgentChannelFactory.Create(Address, node ?? Node, Ssi.Agent.Contracts.Security.AgentCredentials.FromDirectory(Directory, "cli"));

    /// <summary>Asks the Node service for the shared filesystem's status until <paramref name="until"/> holds (10 s at most).</summary>
    public async Task<Contracts.V1.FilesystemStatus> FilesystemStatusAsync(Func<Contracts.V1.FilesystemStatus, bool> until)
    {
        using var channel = Channel();
        var client = new Contracts.V1.Node.NodeClient(channel);
        for (var i = 0; ; i++)
        {
            var status = (await client.GetNodeInfoAsync(new Contracts.V1.GetNodeInfoRequest())).Filesystem;
            if (until(status))
            {
                return status;
            }

            Assert.True(i < 100, $"the filesystem status stays: {status}");
            await Task.Delay(100);
        }
    }

    public T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static Task<InProcessAgent> StartAsync(string node = "node1", params string[] extraArguments) =>
        StartAsync(null, node, extraArguments);

    /// <summary>As above, with a certificate from <paramref name="authority"/> (agents of one cluster trust each other), or a CA of its own when null.</summary>
    public static async Task<InProcessAgent> StartAsync(ClusterCertificateAuthority? authority, string node, params string[] extraArguments)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ssi-agent-test").FullName;
        var now = DateTimeOffset.UtcNow;
        var ownsAuthority = authority is null;
        authority ??= ClusterCertificateAuthority.Create("test", now);
        authority.Export().WriteTo(directory, "ca");
        authority.IssueAgent($"ssi-agent-test-{node}", [node], [IPAddress.Loopback], now).WriteTo(directory, "agent");
        authority.IssueClient("ssi-cli-test", now).WriteTo(directory, "cli");

        var app = AgentHost.Build(
        [
            "--Agent:Cluster=test",
            $"--Agent:Node={node}",
            "--Agent:ListenAddress=127.0.0.1",
            "--Agent:Port=0",
            $"--Agent:CredentialsDirectory={directory}",
            $"--Agent:StateDirectory={Path.Combine(directory, "state")}",
            $"--Agent:ShimPath={Path.Combine(RepositoryPaths.Root, "artifacts", "shim", "ssi-shim")}",
            $"--Agent:ShimReportSocket={Path.Combine(directory, "shim.sock")}",
            "--Agent:InitialNetworkNamespace=/proc/self/ns/net",
            "--Logging:LogLevel:Default=Warning",
            .. extraArguments,
        ]);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(bound).Port;
        return new InProcessAgent(app, node, directory, authority, ownsAuthority, new Uri($"https://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsAuthority)
        {
            Authority.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
