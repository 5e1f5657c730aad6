using Ssi.Operator.Tests.Chart;
using Ssi.Testing;

namespace Ssi.Operator.Tests.Integration;

/// <summary>Runs `kubectl ssi ...` through the real kubectl, with the built plugin first on PATH and a kubeconfig for the fake API server.</summary>
internal static class KubectlPlugin
{
    public static async Task<ToolRun> RunAsync(string home, params string[] args)
    {
        var kubectl = Prerequisites.RequireTool("kubectl");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var plugin = Path.Combine(RepositoryPaths.Root, "artifacts", "bin", "Ssi.Kubectl", configuration);
        Assert.True(File.Exists(Path.Combine(plugin, "kubectl-ssi")), $"the plugin is built at {plugin}");
        return await ToolRun.RunAsync(kubectl, ["ssi", .. args], new Dictionary<string, string>
        {
            ["PATH"] = plugin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["KUBECONFIG"] = Path.Combine(home, "kubeconfig"),
            ["HOME"] = home,
        });
    }
}
