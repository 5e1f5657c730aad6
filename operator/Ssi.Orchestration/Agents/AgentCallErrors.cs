using Grpc.Core;

namespace Ssi.Orchestration.Agents;

/// <summary>Why an agent did not answer a call, in words for a listing of unreachable nodes.</summary>
public static class AgentCallErrors
{
    public static string Describe(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.StatusCode switch
        {
            StatusCode.DeadlineExceeded => "did not answer in time",
            StatusCode.Unavailable => "unreachable",
            _ => $"{e.StatusCode}: {e.Status.Detail}",
        };
    }
}
