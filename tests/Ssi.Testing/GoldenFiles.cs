namespace Ssi.Testing;

/// <summary>
/// Golden files in the source tree (read from there, not from the build output). Set
/// SSI_UPDATE_GOLDEN=1 to rewrite them from the actual output, then review the diff.
/// </summary>
public static class GoldenFiles
{
    public static void AssertMatches(string relativePath, string actual)
    {
        var path = Path.Combine(RepositoryPaths.Root, relativePath);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("SSI_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        if (!File.Exists(path))
        {
            throw new Xunit.Sdk.XunitException($"golden file {relativePath} is missing; run the test with SSI_UPDATE_GOLDEN=1 to create it");
        }

        Xunit.Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
