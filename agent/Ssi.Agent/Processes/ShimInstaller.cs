namespace Ssi.Agent.Processes;

/// <summary>
/// Puts the agent's workload init where pods can reach it: a landing pod (the target of a migration
/// of a process in a pod) runs the node's <c>ssi-shim</c> from a hostPath, since its own image has
/// none. The copy is replaced atomically and only when it differs.
/// </summary>
internal static class ShimInstaller
{
    public const string FileName = "ssi-shim";

    /// <summary>Copies <paramref name="shim"/> into <paramref name="directory"/>; returns the installed path, or null when it was already there.</summary>
    public static string? Install(string shim, string directory)
    {
        if (!File.Exists(shim))
        {
            throw new FileNotFoundException($"the workload init {shim} does not exist", shim);
        }

        Directory.CreateDirectory(directory);
        var installed = Path.Combine(directory, FileName);
        if (File.Exists(installed) && new FileInfo(installed).Length == new FileInfo(shim).Length
            && File.ReadAllBytes(installed).AsSpan().SequenceEqual(File.ReadAllBytes(shim)))
        {
            return null;
        }

        var temporary = installed + ".new";
        File.Copy(shim, temporary, overwrite: true);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(temporary, installed, overwrite: true);
        return installed;
    }
}
