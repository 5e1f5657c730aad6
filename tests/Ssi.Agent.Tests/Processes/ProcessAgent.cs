using Ssi.Agent.Contracts.V1;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Processes;

/// <summary>An in-process agent that runs workloads under the NativeAOT shim, and waits on its process table.</summary>
internal static class ProcessAgent
{
    public static async Task<(InProcessAgent Agent, Contracts.V1.Process.ProcessClient Client)> StartAsync()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireCommand("unshare", "util-linux");
        _ = RepositoryPaths.Shim;
        var agent = await InProcessAgent.StartAsync();
        return (agent, new Contracts.V1.Process.ProcessClient(agent.Channel()));
    }

    /// <summary>Lists the node's processes until <paramref name="condition"/> holds (5 s at most); the last list.</summary>
    public static async Task<ListProcessesResponse> WaitForAsync(Contracts.V1.Process.ProcessClient client, Func<ListProcessesResponse, bool> condition)
    {
        ListProcessesResponse last = new();
        for (var i = 0; i < 200; i++)
        {
            last = await client.ListProcessesAsync(new ListProcessesRequest());
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(25);
        }

        return last;
    }
}
