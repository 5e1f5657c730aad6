using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Runtime;

/// <summary>The informer against the fake API server with the real client.</summary>
public sealed class InformerTests : IAsyncLifetime
{
    private static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "ConfigMap");
    private FakeApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task Create(string name) => _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" } }, "default");

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task The_cache_follows_the_server_across_pages_watches_and_a_410_relist()
    {
        for (var i = 0; i < 7; i++)
        {
            await Create($"cm{i}");
        }

        var informer = new Informer<V1ConfigMap>(new ResourceClient<V1ConfigMap>(_client, ConfigMaps), new InformerOptions { PageSize = 3 }, NullLogger.Instance, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(7, informer.List().Count);

        await Create("late");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("cm0", "default");
        await Eventually(() => informer.Get(new ObjectKey("default", "late")) is not null && informer.Get(new ObjectKey("default", "cm0")) is null);

        _server.CompactHistory();
        await Create("after-compaction");
        await Eventually(() => informer.Get(new ObjectKey("default", "after-compaction")) is not null);
        Assert.True(informer.Lists >= 2);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Resync_hands_every_cached_object_to_the_handlers_again()
    {
        await Create("a");
        var informer = new Informer<V1ConfigMap>(new ResourceClient<V1ConfigMap>(_client, ConfigMaps), new InformerOptions { ResyncPeriod = TimeSpan.FromMilliseconds(100) }, NullLogger.Instance, TimeProvider.System);
        var seen = 0;
        informer.AddHandler(_ => Interlocked.Increment(ref seen));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);

        await Eventually(() => informer.Resyncs >= 2);

        Assert.True(Volatile.Read(ref seen) >= 3);
        Assert.Equal(0, _server.Requests.Writes - 1);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_closed_watch_resumes_from_the_last_version_without_a_relist()
    {
        var log = new ListLogger();
        var informer = new Informer<V1ConfigMap>(new ResourceClient<V1ConfigMap>(_client, ConfigMaps), new InformerOptions(), log, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually(() => _server.OpenWatches == 1);

        _server.CloseWatches();
        await Create("after-close");

        await Eventually(() => informer.Get(new ObjectKey("default", "after-close")) is not null);
        Assert.True(informer.Lists == 1, string.Join("\n", log.Lines));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
