namespace Ssi.Agent.Cleanup;

/// <summary>What a cleanup did and what it could not do, as sentences.</summary>
internal sealed class CleanupReport
{
    public List<string> Actions { get; } = [];

    public List<string> Failures { get; } = [];
}
