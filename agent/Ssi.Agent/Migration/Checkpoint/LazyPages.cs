namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// Post-copy settings: where the source's page server listens and the mTLS files both criu ends
/// use (the agents' own certificates: the page server only talks to another agent of the cluster).
/// </summary>
internal sealed record LazyPages(string Address, int Port, string CaFile, string CertificateFile, string KeyFile)
{
    public IEnumerable<string> TlsArguments() =>
        ["--tls", "--tls-cacert", CaFile, "--tls-cert", CertificateFile, "--tls-key", KeyFile, "--tls-no-cn-verify"];
}
