namespace Ssi.Testing;

/// <summary>Paths in the repository and its build output, found from the test's own location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "crds", "samples");

    /// <summary>
    /// The `ssi` CLI the tests run, as a user would: the NativeAOT publish of eng/install.sh
    /// (artifacts/cli/ssi), unless the build of the tests' configuration
    /// (artifacts/bin/Ssi.Cli/&lt;configuration&gt;/ssi) is newer, i.e. the code changed since the
    /// publish; then that one, so that no test runs stale code.
    /// </summary>
    public static string Cli
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name; // artifacts/bin/<Project>/<config>/
            var build = Path.Combine(Root, "artifacts", "bin", "Ssi.Cli", configuration);
            var published = Path.Combine(Root, "artifacts", "cli", "ssi");
            if (File.Exists(published) && !Directory.EnumerateFiles(build, "*.dll").Any(dll => File.GetLastWriteTimeUtc(dll) > File.GetLastWriteTimeUtc(published)))
            {
                return published;
            }

            var path = Path.Combine(build, "ssi");
            return File.Exists(path)
                ? path
                : throw new PrerequisiteMissingException($"the built CLI at {path} (build the solution first: eng/test.sh does)");
        }
    }

    /// <summary>The NativeAOT workload init published by eng/install.sh.</summary>
    public static string Shim
    {
        get
        {
            var path = Path.Combine(Root, "artifacts", "shim", "ssi-shim");
            return File.Exists(path)
                ? path
                : throw new PrerequisiteMissingException($"the workload init at {path} (eng/install.sh publishes it)");
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SsiOperator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no SsiOperator.sln above {AppContext.BaseDirectory}");
    }
}
