namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>The tmpfs directory of one attempt's images on this node; deleted as soon as they are not needed.</summary>
internal static class ImageDirectory
{
    public static string For(string root, string node, string attemptId)
    {
        if (attemptId.Length is 0 or > 64 || !attemptId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new MigrationException($"attempt id '{attemptId}' is not 1-64 letters, digits, '-' or '_'");
        }

        return Path.Combine(root, node, attemptId);
    }

    public static string Create(string root, string node, string attemptId)
    {
        var path = For(root, node, attemptId);
        Delete(path);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException) when (!Directory.Exists(path))
        {
            // Deleted meanwhile by another call (a rollback's cleanup racing another).
        }
    }
}
