using Microsoft.Extensions.Options;

namespace Ssi.Agent.Tests;

/// <summary>An options monitor whose value never changes, for classes that read options through a monitor.</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
