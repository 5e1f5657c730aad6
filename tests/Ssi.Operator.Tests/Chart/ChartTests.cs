using System.Text.Json.Nodes;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Hosting;
using Ssi.Orchestration.Manifests;
using Ssi.Testing;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Chart;

/// <summary>The Helm chart, checked with the real helm and kubectl (which must be installed: a missing one fails the test).</summary>
public sealed class ChartTests
{
    private static readonly string ChartDirectory = Path.Combine(RepositoryPaths.Root, "charts", "ssi-operator");

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(params string[] extra)
    {
        var helm = Prerequisites.RequireTool("helm");
        var run = (await ToolRun.RunAsync(helm, ["template", "ssi", ChartDirectory, "--namespace", "ssi-system", "--include-crds", .. extra])).Succeeded("helm template");
        return ManifestReader.Read(run.Stdout, "helm template").Select(d => d.Root).ToList();
    }

    [Fact]
    public void The_operator_image_runs_with_the_runtime_settings_the_benchmark_measures()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        var stage = dockerfile[dockerfile.IndexOf(" AS operator", StringComparison.Ordinal)..];

        foreach (var (name, value) in OperatorRuntimeSettings.Environment)
        {
            Assert.Contains($"{name}={value}", stage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ssi.io_ssiclusters.yaml")]
    [InlineData("ssi.io_processmigrations.yaml")]
    public void The_chart_CRDs_are_copies_of_the_repository_CRDs(string file)
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "crds", file)), File.ReadAllText(Path.Combine(ChartDirectory, "crds", file)));
    }

    [Fact]
    public async Task Helm_lint_passes_with_the_values_schema()
    {
        var helm = Prerequisites.RequireTool("helm");

        (await ToolRun.RunAsync(helm, ["lint", "--strict", ChartDirectory])).Succeeded("helm lint");
    }

    [Fact]
    public async Task The_values_schema_rejects_a_bad_value()
    {
        var helm = Prerequisites.RequireTool("helm");

        var run = await ToolRun.RunAsync(helm, ["template", "ssi", ChartDirectory, "--set", "replicaCount=0"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("replicaCount", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helm_template_renders_the_CRDs_a_non_root_operator_Deployment_and_its_RBAC()
    {
        var objects = await RenderAsync();

        Assert.Equal(2, objects.Count(o => o["kind"]!.GetValue<string>() == "CustomResourceDefinition"));
        var deployment = objects.Single(o => o["kind"]!.GetValue<string>() == "Deployment");
        Assert.True(deployment["spec"]!["template"]!["spec"]!["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("ssi-ssi-operator", deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Contains(objects, o => o["kind"]!.GetValue<string>() == "ClusterRoleBinding");
        Assert.Contains(objects, o => o["kind"]!.GetValue<string>() == "RoleBinding");
    }

    [Fact]
    public async Task The_chart_RBAC_grants_exactly_what_the_operator_declares_it_uses()
    {
        var objects = await RenderAsync();
        var granted = objects.Where(o => o["kind"]!.GetValue<string>() is "ClusterRole" or "Role")
            .SelectMany(o => o["rules"]!.AsArray())
            .SelectMany(rule => rule!["apiGroups"]!.AsArray().SelectMany(g => rule["resources"]!.AsArray().SelectMany(r => rule["verbs"]!.AsArray()
                .Select(v => $"{g!.GetValue<string>()}/{r!.GetValue<string>()}:{v!.GetValue<string>()}"))))
            .Order(StringComparer.Ordinal).ToList();

        var declared = OperatorResources.Requirements.SelectMany(r => r.Verbs.Select(v => $"{r.Group}/{r.Resource}:{v}")).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(declared, granted);
    }

    [Fact]
    public async Task Kubectl_applies_the_rendered_chart_and_the_samples_to_an_API_server()
    {
        var kubectl = Prerequisites.RequireTool("kubectl");
        var helm = Prerequisites.RequireTool("helm");
        await using var server = await FakeApiServer.StartAsync();
        var work = Directory.CreateTempSubdirectory("ssi-chart-");
        try
        {
            var kubeconfig = Path.Combine(work.FullName, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, server.Kubeconfig());
            var rendered = Path.Combine(work.FullName, "rendered.yaml");
            await File.WriteAllTextAsync(rendered, (await ToolRun.RunAsync(helm, ["template", "ssi", ChartDirectory, "--namespace", "ssi-system", "--include-crds"])).Succeeded("helm template").Stdout);
            var env = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig, ["HOME"] = work.FullName };

            (await ToolRun.RunAsync(kubectl, ["apply", "--validate=false", "-n", "ssi-system", "-f", rendered], env)).Succeeded("kubectl apply chart");
            (await ToolRun.RunAsync(kubectl, ["apply", "--validate=false", "-n", "demo", "-f", RepositoryPaths.Samples], env)).Succeeded("kubectl apply samples");

            Assert.NotNull(server.Get("apiextensions.k8s.io", "customresourcedefinitions", null, "processmigrations.ssi.io"));
            Assert.NotNull(server.Get("apps", "deployments", "ssi-system", "ssi-ssi-operator"));
            Assert.NotNull(server.Get(SsiApiGroup.Group, V1Alpha1SsiCluster.PluralName, "demo", "demo"));
            Assert.NotNull(server.Get(SsiApiGroup.Group, V1Alpha1ProcessMigration.PluralName, "demo", "move-to-node2"));
            var listed = (await ToolRun.RunAsync(kubectl, ["get", "ssic", "-n", "demo", "-o", "name"], env)).Succeeded("kubectl get ssic");
            Assert.Contains("ssicluster.ssi.io/demo", listed.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
