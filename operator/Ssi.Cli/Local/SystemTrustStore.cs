using Ssi.Agent.Native;

namespace Ssi.Cli.Local;

/// <summary>
/// `ssi` speaks TLS to agents only, and trusts them by the cluster CA alone (ClusterTrust): the
/// machine's root store never decides anything. .NET's SslStream builds an X509 chain at every
/// handshake all the same (for the client certificate and for the agent's), and on Linux the
/// first chain of a process loads the whole system store first (/etc/ssl/certs: some 150 files,
/// 20-70 ms), which a short-lived command pays on every call. This points OpenSSL's default store
/// at nothing, for this process only.
/// </summary>
internal static class SystemTrustStore
{
    public static void Skip()
    {
        // .NET copies the environment once, on first use of the whole set; the processes it starts
        // (agents, ip, mount) get that copy, taken here before the change, so they are unaffected.
        _ = Environment.GetEnvironmentVariables();
        NativeEnvironment.Set("SSL_CERT_FILE", "/dev/null");
        NativeEnvironment.Set("SSL_CERT_DIR", "");
    }
}
