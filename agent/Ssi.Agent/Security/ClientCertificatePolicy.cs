using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Hosting;

namespace Ssi.Agent.Security;

/// <summary>Admits a TLS client only if it presents a certificate from the cluster CA.</summary>
internal sealed class ClientCertificatePolicy(ClusterTrust trust, ILogger<ClientCertificatePolicy> logger)
{
    public bool Admit(X509Certificate2? certificate)
    {
        if (trust.IsTrustedClient(certificate, out var reason))
        {
            return true;
        }

        AgentLog.ClientRefused(logger, reason);
        return false;
    }
}
