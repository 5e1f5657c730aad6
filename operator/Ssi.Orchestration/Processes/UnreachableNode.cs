namespace Ssi.Orchestration.Processes;

/// <summary>A node whose agent did not answer, and why.</summary>
public sealed record UnreachableNode(string Node, string Reason);
