using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime;
using Ssi.Controller.Runtime.Leadership;
using Ssi.Operator.Agents;
using Ssi.Operator.Hosting;
using Ssi.Operator.ProcessMigrations;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Integration;

/// <summary>One operator replica (the whole host) running against a fake API server.</summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private OperatorProcess(WebApplication app, string identity)
    {
        _app = app;
        Identity = identity;
    }

    public string Identity { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Where /metrics, /healthz and /readyz answer.</summary>
    public string HttpAddress => _app.Urls.First();

    public OperatorCaches Caches => _app.Services.GetRequiredService<OperatorCaches>();

    public bool IsLeader => _app.Services.GetRequiredService<LeaderElection>().IsLeader;

    public Task Started => _app.Services.GetRequiredService<ControllerManager>().Started;

    /// <summary>Starts a replica; without <paramref name="driver"/> it runs the real coordinator against <paramref name="agents"/>.</summary>
    public static async Task<OperatorProcess> StartAsync(FakeApiServer server, IAgentFleet fleet, IProcessMigrationDriver? driver, string identity, IClusterAgentConnectors? agents = null, params string[] extraArgs)
    {
        string[] args =
        [
            "--Operator:HttpUrl=http://127.0.0.1:0",
            $"--Operator:Identity={identity}",
            "--Operator:LeaseNamespace=ssi-system",
            "--Operator:ResyncPeriod=00:00:01",
            "--Operator:HealthyPollInterval=00:00:02",
            "--Operator:UnhealthyPollInterval=00:00:00.500",
            "--Operator:LeaseDuration=00:00:03",
            "--Operator:RenewDeadline=00:00:02",
            "--Operator:RetryPeriod=00:00:00.250",
            "--Operator:AgentImage=test/agent:1",
            $"--Logging:LogLevel:Default={Environment.GetEnvironmentVariable("SSI_TEST_LOG_LEVEL") ?? "Warning"}",
            .. extraArgs,
        ];
        var app = OperatorHost.Build(args, services =>
        {
            services.AddSingleton<IKubernetes>(server.CreateClient());
            services.AddSingleton(fleet);
            if (driver is not null)
            {
                services.AddSingleton(driver);
            }

            if (agents is not null)
            {
                services.AddSingleton(agents);
            }
            if (Environment.GetEnvironmentVariable("SSI_TEST_LOGS") != "1")
            {
                services.AddLogging(l => l.ClearProviders());
            }
        });
        await app.StartAsync();
        return new OperatorProcess(app, identity);
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
