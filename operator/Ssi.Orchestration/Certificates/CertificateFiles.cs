namespace Ssi.Orchestration.Certificates;

/// <summary>A certificate and its private key, both PEM.</summary>
public sealed record CertificateFiles(string CertificatePem, string PrivateKeyPem)
{
    /// <summary>Writes NAME.crt (0644) and NAME.key (0600) into <paramref name="directory"/>.</summary>
    public void WriteTo(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var key = Path.Combine(directory, name + ".key");
        File.WriteAllText(key, "");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(key, PrivateKeyPem);
        File.WriteAllText(Path.Combine(directory, name + ".crt"), CertificatePem);
    }

    public static CertificateFiles ReadFrom(string directory, string name) =>
        new(File.ReadAllText(Path.Combine(directory, name + ".crt")), File.ReadAllText(Path.Combine(directory, name + ".key")));
}
