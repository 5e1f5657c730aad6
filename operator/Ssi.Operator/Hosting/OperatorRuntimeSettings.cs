namespace Ssi.Operator.Hosting;

/// <summary>
/// The .NET runtime settings the operator image runs with (the Dockerfile's <c>operator</c> stage
/// sets them as ENV; a test keeps the two equal) and the operator benchmark runs the operator with.
/// Workstation GC, and a 2 MiB gen0 budget: the operator allocates in small bursts per event,
/// and the default budget (sized from the cache) kept ~20 MiB more resident for nothing.
/// </summary>
internal static class OperatorRuntimeSettings
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_GCgen0size"] = "0x200000",
    };
}
