using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Certificates;
using Ssi.Operator.Hosting;
using Ssi.Operator.Tests.SsiClusters;
using Ssi.Orchestration.Certificates;

namespace Ssi.Operator.Tests.Certificates;

public sealed class SsiClusterCertificateIssuerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private readonly OperatorOptions _options = new() { CertificateRenewBefore = TimeSpan.FromDays(30) };

    private static (V1Secret Ca, V1Secret Agent) Secrets(SsiClusterCertificates c) => (
        new V1Secret { Data = new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes(c.CaCertificatePem), ["ca.key"] = Encoding.UTF8.GetBytes(c.CaPrivateKeyPem) } },
        new V1Secret { Data = new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes(c.CaCertificatePem), ["agent.crt"] = Encoding.UTF8.GetBytes(c.AgentCertificatePem), ["agent.key"] = Encoding.UTF8.GetBytes(c.AgentPrivateKeyPem) } });

    [Fact]
    public void Without_secrets_a_CA_and_an_agent_certificate_naming_the_service_and_nodes_are_issued()
    {
        var issued = new SsiClusterCertificateIssuer(_time, _options).Resolve(TestClusters.Cfs(), null, null);

        using var agent = X509Certificate2.CreateFromPem(issued.AgentCertificatePem);
        var names = agent.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Contains("demo-ssi-agents.ssi.svc", names);
        Assert.Contains("*.demo-ssi-agents.ssi.svc", names);
        Assert.Contains("node2", names);
        using var ca = X509Certificate2.CreateFromPem(issued.CaCertificatePem);
        Assert.Equal(ca.Subject, agent.Issuer);
    }

    [Fact]
    public void Valid_certificates_in_the_secrets_are_kept()
    {
        var issuer = new SsiClusterCertificateIssuer(_time, _options);
        var first = issuer.Resolve(TestClusters.Cfs(), null, null);
        var (ca, agent) = Secrets(first);

        _time.Advance(TimeSpan.FromDays(300));

        Assert.Equal(first, issuer.Resolve(TestClusters.Cfs(), ca, agent));
    }

    [Fact]
    public void The_agent_certificate_is_renewed_before_it_expires_from_the_same_CA()
    {
        var issuer = new SsiClusterCertificateIssuer(_time, _options);
        var first = issuer.Resolve(TestClusters.Cfs(), null, null);
        var (ca, agent) = Secrets(first);

        _time.Advance(ClusterCertificateAuthority.LeafValidity - TimeSpan.FromDays(29));
        var renewed = issuer.Resolve(TestClusters.Cfs(), ca, agent);

        Assert.Equal(first.CaCertificatePem, renewed.CaCertificatePem);
        Assert.NotEqual(first.AgentCertificatePem, renewed.AgentCertificatePem);
    }

    [Fact]
    public void A_new_node_gets_a_certificate_that_names_it()
    {
        var issuer = new SsiClusterCertificateIssuer(_time, _options);
        var first = issuer.Resolve(TestClusters.Cfs(), null, null);
        var (ca, agent) = Secrets(first);
        var grown = TestClusters.Cfs();
        grown.Spec.Nodes!.Add(new SsiNodeSpec { Name = "node4" });

        var reissued = issuer.Resolve(grown, ca, agent);

        using var certificate = X509Certificate2.CreateFromPem(reissued.AgentCertificatePem);
        Assert.Contains("node4", certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(first.CaCertificatePem, reissued.CaCertificatePem);
    }

    [Fact]
    public void A_CA_near_its_end_is_replaced_and_the_agent_certificate_with_it()
    {
        var issuer = new SsiClusterCertificateIssuer(_time, _options);
        var first = issuer.Resolve(TestClusters.Cfs(), null, null);
        var (ca, agent) = Secrets(first);

        _time.Advance(ClusterCertificateAuthority.AuthorityValidity - TimeSpan.FromDays(10));
        var replaced = issuer.Resolve(TestClusters.Cfs(), ca, agent);

        Assert.NotEqual(first.CaCertificatePem, replaced.CaCertificatePem);
        Assert.NotEqual(first.AgentCertificatePem, replaced.AgentCertificatePem);
    }
}
