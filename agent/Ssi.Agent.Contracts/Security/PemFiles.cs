using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ssi.Agent.Contracts.Security;

/// <summary>Loads PEM certificates and keys as written by the cluster CA.</summary>
public static class PemFiles
{
    public static byte[] ReadCertificateDer(string path)
    {
        var text = File.ReadAllText(path);
        return Convert.FromBase64String(text[PemEncoding.Find(text).Base64Data]);
    }

    /// <summary>A certificate with its private key. On Linux (OpenSSL) an ephemeral key is usable by SslStream as is.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
}
