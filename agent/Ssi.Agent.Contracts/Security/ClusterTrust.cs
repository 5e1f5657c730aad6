using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ssi.Agent.Contracts.Security;

/// <summary>
/// Decides whether a peer's certificate was issued by the cluster's CA. Agents use it for the
/// clients they accept, clients for the agents they call: nothing else is trusted, not even the
/// machine's root store.
/// </summary>
public sealed class ClusterTrust
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public ClusterTrust(X509Certificate2 authority)
    {
        Authority = authority ?? throw new ArgumentNullException(nameof(authority));
    }

    public X509Certificate2 Authority { get; }

    public static ClusterTrust FromPemFile(string caPath) =>
        new(X509CertificateLoader.LoadCertificate(PemFiles.ReadCertificateDer(caPath)));

    /// <summary>True when <paramref name="certificate"/> chains to the cluster CA, is within its validity and may act as a client.</summary>
    public bool IsTrustedClient(X509Certificate2? certificate, out string reason) =>
        IsTrusted(certificate, ClientAuthOid, expectedName: null, out reason);

    /// <summary>True when <paramref name="certificate"/> chains to the cluster CA, may act as a server and names <paramref name="expectedName"/>.</summary>
    public bool IsTrustedServer(X509Certificate2? certificate, string expectedName, out string reason) =>
        IsTrusted(certificate, ServerAuthOid, expectedName, out reason);

    private bool IsTrusted(X509Certificate2? certificate, string usageOid, string? expectedName, out string reason)
    {
        if (certificate is null)
        {
            reason = "no certificate was presented";
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usageOid));
        if (!chain.Build(certificate))
        {
            var statuses = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
            reason = $"certificate \"{certificate.Subject}\" is not trusted by the cluster CA ({string.Join(", ", statuses)})";
            return false;
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            reason = $"certificate \"{certificate.Subject}\" chains to \"{root.Subject}\", not to the cluster CA";
            return false;
        }

        if (expectedName is not null && !certificate.MatchesHostname(expectedName, allowWildcards: false, allowCommonName: false))
        {
            reason = $"certificate \"{certificate.Subject}\" is not issued for \"{expectedName}\"";
            return false;
        }

        reason = "";
        return true;
    }
}
