using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ssi.Agent.Contracts.Security;
using Ssi.Orchestration.Certificates;

namespace Ssi.Orchestration.Tests.Certificates;

public sealed class ClusterCertificateAuthorityTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static X509Certificate2 Load(CertificateFiles files) => X509Certificate2.CreateFromPem(files.CertificatePem, files.PrivateKeyPem);

    private static ClusterTrust TrustOf(ClusterCertificateAuthority ca) =>
        new(X509CertificateLoader.LoadCertificate(ca.Certificate.RawData));

    [Fact]
    public void Agent_certificate_is_trusted_as_server_for_its_names_and_as_client()
    {
        using var ca = ClusterCertificateAuthority.Create("demo", Now);
        using var agent = Load(ca.IssueAgent("ssi-agent-demo-node1", ["node1", "node1.demo.ssi.local"], [IPAddress.Parse("10.250.0.1")], Now));
        var trust = TrustOf(ca);

        Assert.True(trust.IsTrustedServer(agent, "node1", out var reason), reason);
        Assert.True(trust.IsTrustedServer(agent, "node1.demo.ssi.local", out reason), reason);
        Assert.True(trust.IsTrustedServer(agent, "10.250.0.1", out reason), reason);
        Assert.True(trust.IsTrustedClient(agent, out reason), reason);
    }

    [Fact]
    public void Agent_certificate_is_not_trusted_for_another_node_name()
    {
        using var ca = ClusterCertificateAuthority.Create("demo", Now);
        using var agent = Load(ca.IssueAgent("a", ["node1"], [], Now));

        Assert.False(TrustOf(ca).IsTrustedServer(agent, "node2", out var reason));
        Assert.Contains("not issued for \"node2\"", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_from_another_cluster_CA_is_refused()
    {
        using var ours = ClusterCertificateAuthority.Create("demo", Now);
        using var theirs = ClusterCertificateAuthority.Create("demo", Now);
        using var foreign = Load(theirs.IssueAgent("a", ["node1"], [], Now));

        Assert.False(TrustOf(ours).IsTrustedClient(foreign, out var reason));
        Assert.Contains("not trusted by the cluster CA", reason, StringComparison.Ordinal);
        Assert.False(TrustOf(ours).IsTrustedServer(foreign, "node1", out _));
    }

    [Fact]
    public void Client_certificate_cannot_act_as_a_server()
    {
        using var ca = ClusterCertificateAuthority.Create("demo", Now);
        using var cli = Load(ca.IssueClient("ssi-cli-demo", Now));
        var trust = TrustOf(ca);

        Assert.True(trust.IsTrustedClient(cli, out var reason), reason);
        Assert.False(trust.IsTrustedServer(cli, "ssi-cli-demo", out _));
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        using var ca = ClusterCertificateAuthority.Create("demo", Now - TimeSpan.FromDays(1000));
        using var old = Load(ca.IssueClient("old", Now - TimeSpan.FromDays(800)));

        Assert.False(TrustOf(ca).IsTrustedClient(old, out var reason));
        Assert.Contains("NotTimeValid", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void No_certificate_is_refused()
    {
        using var ca = ClusterCertificateAuthority.Create("demo", Now);

        Assert.False(TrustOf(ca).IsTrustedClient(null, out var reason));
        Assert.Equal("no certificate was presented", reason);
    }

    [Fact]
    public void Authority_round_trips_through_pem_files_and_keeps_issuing()
    {
        var directory = Directory.CreateTempSubdirectory("ssi-ca-test").FullName;
        try
        {
            using var ca = ClusterCertificateAuthority.Create("demo", Now);
            ca.Export().WriteTo(directory, "ca");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "ca.key")));

            using var reloaded = ClusterCertificateAuthority.Load(CertificateFiles.ReadFrom(directory, "ca"));
            reloaded.IssueClient("cli", Now).WriteTo(directory, "cli");
            var credentials = AgentCredentials.FromDirectory(directory, "cli");

            Assert.True(credentials.Certificate.HasPrivateKey);
            Assert.True(credentials.Trust.IsTrustedClient(credentials.Certificate, out var reason), reason);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
