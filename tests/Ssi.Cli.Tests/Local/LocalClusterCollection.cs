namespace Ssi.Cli.Tests.Local;

/// <summary>Local-cluster tests run one after another (each starts several agents on 2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalClusterCollection
{
    public const string Name = "Local clusters";
}
