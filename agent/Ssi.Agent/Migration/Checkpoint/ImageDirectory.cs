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
            // Deleted meanwhile by another call (DeleteLater racing a rollback's cleanup).
        }
    }

    /// <summary>
    /// Deletes the images off the freeze's path (freeing a few MB of tmpfs and unlinking a hundred
    /// files costs about a millisecond): for images no step of the attempt reads again.
    /// </summary>
    public static void DeleteLater(string path) => _ = Task.Run(() =>
    {
        try
        {
            Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing can be done about it here; the attempt itself succeeded. (A tmpfs: gone at the latest when the node reboots.)
        }
    });
}
