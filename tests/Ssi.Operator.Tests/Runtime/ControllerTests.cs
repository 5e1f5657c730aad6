using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Controller.Runtime.Metrics;
using Ssi.Controller.Runtime.Queue;
using Ssi.Controller.Runtime.Reconciling;

namespace Ssi.Operator.Tests.Runtime;

/// <summary>The reconcile loop on a fake clock: what happens to a key after each kind of result.</summary>
public sealed class ControllerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedReconciler _reconciler = new();
    private readonly ServiceProvider _services;
    private readonly Controller<V1ConfigMap> _controller;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private static readonly ObjectKey Key = new("default", "a");

    public ControllerTests()
    {
        _services = new ServiceCollection().AddSingleton<IReconciler<V1ConfigMap>>(_reconciler).BuildServiceProvider();
        var informer = new Informer<V1ConfigMap>(new ResourceClient<V1ConfigMap>(null!, new ResourceKind("", "v1", "configmaps", "ConfigMap")), new InformerOptions(), NullLogger.Instance, _time);
        _controller = new Controller<V1ConfigMap>(
            new ControllerOptions { Name = "test", Workers = 2, Queue = new WorkQueueOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(60) } },
            informer, _services.GetRequiredService<IServiceScopeFactory>(), new ControllerMetrics(), NullLogger.Instance, _time);
        _run = _controller.RunAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(20));
        await _services.DisposeAsync();
        _stop.Dispose();
    }

    private async Task Calls(int count)
    {
        for (var i = 0; i < 400 && _reconciler.Calls < count; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(count, _reconciler.Calls);
    }

    /// <summary>Waits until the worker has scheduled the key's return on the fake clock (before the clock moves).</summary>
    private async Task Scheduled()
    {
        for (var i = 0; i < 400 && _controller.Queue.DelayedCount == 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(1, _controller.Queue.DelayedCount);
    }

    /// <summary>Lets idle workers settle, then checks that nothing more ran.</summary>
    private async Task NoMoreThan(int count)
    {
        await Task.Delay(200);
        Assert.Equal(count, _reconciler.Calls);
    }

    [Fact]
    public async Task A_thrown_exception_is_retried_after_the_keys_backoff_and_success_forgets_it()
    {
        _reconciler.Results.Enqueue(() => throw new InvalidOperationException("boom"));
        _reconciler.Results.Enqueue(() => throw new InvalidOperationException("boom"));
        _reconciler.Results.Enqueue(() => ReconcileResult.Done);

        _controller.Enqueue(Key);
        await Calls(1);
        await Scheduled();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await NoMoreThan(1);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Calls(2);
        await Scheduled();
        _time.Advance(TimeSpan.FromSeconds(2));
        await Calls(3);

        Assert.Equal(0, _controller.Queue.Failures(Key));
    }

    [Fact]
    public async Task A_terminal_result_is_not_retried_until_the_object_changes()
    {
        _reconciler.Results.Enqueue(() => ReconcileResult.Terminal("invalid spec"));
        _reconciler.Results.Enqueue(() => ReconcileResult.Done);

        _controller.Enqueue(Key);
        await Calls(1);
        _time.Advance(TimeSpan.FromHours(1));
        await NoMoreThan(1);
        _controller.Enqueue(Key);

        await Calls(2);
    }

    [Fact]
    public async Task RequeueAfter_comes_back_at_its_time()
    {
        _reconciler.Results.Enqueue(() => ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30)));
        _reconciler.Results.Enqueue(() => ReconcileResult.Done);

        _controller.Enqueue(Key);
        await Calls(1);
        await Scheduled();
        _time.Advance(TimeSpan.FromSeconds(29));
        await NoMoreThan(1);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Calls(2);
    }

    private sealed class ScriptedReconciler : IReconciler<V1ConfigMap>
    {
        private int _calls;

        public ConcurrentQueue<Func<ReconcileResult>> Results { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            try
            {
                return Task.FromResult(Results.TryDequeue(out var next) ? next() : ReconcileResult.Done);
            }
            finally
            {
                Interlocked.Increment(ref _calls);
            }
        }
    }
}
