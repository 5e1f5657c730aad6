using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime;
using Ssi.Operator.Agents;
using Ssi.Operator.Hosting;

namespace Ssi.Benchmarks.Operator;

/// <summary>
/// The operator alone, in the child process of the operator bench: the real operator host against the
/// bench's fake API server (URL in the first argument), agents answered by <see cref="BenchAgentFleet"/>.
/// Prints "started" once its controllers run; answers "memory" on stdin with "heap BYTES" after a full
/// collection; stops when stdin closes.
/// </summary>
internal static class OperatorBenchHost
{
    public const string Command = "operator-host";

    public static async Task<int> RunAsync(string[] args)
    {
        var app = OperatorHost.Build(
        [
            "--Operator:HttpUrl=http://127.0.0.1:0",
            "--Operator:LeaseNamespace=ssi-system",
            "--Operator:ResyncPeriod=00:00:10",
            "--Operator:Workers=4",
            "--Logging:LogLevel:Default=Warning",
        ], services =>
        {
            services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = args[0] }));
            services.AddSingleton<IAgentFleet>(new BenchAgentFleet());
            services.AddLogging(l => l.ClearProviders());
        });
        await app.StartAsync();
        await app.Services.GetRequiredService<ControllerManager>().Started.WaitAsync(TimeSpan.FromMinutes(1));
        Console.WriteLine("started");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "memory")
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                Console.WriteLine($"heap {GC.GetTotalMemory(false)}");
            }
        }

        await app.StopAsync();
        return 0;
    }
}
