using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ssi.Agent.Contracts.Security;

/// <summary>Loads PEM certificates and keys as written by the cluster CA.</summary>
public static class PemFiles
{
    public static byte[] ReadCertificateDer(string path)
    {
        var pem = PemEncoding.Find(File.ReadAllText(path));
        return Convert.FromBase64String(File.ReadAllText(path)[pem.Base64Data]);
    }

    /// <summary>A certificate with its private key, usable by SslStream on Linux.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath)
    {
        using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Round-trip through PKCS#12 so that the key is usable for TLS on every platform.
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null);
    }
}
