using System.Threading.Channels;

namespace Ssi.Testing.FakeApiServer;

/// <summary>One open watch: the lines (one JSON watch event each) still to be written to its response.</summary>
internal sealed class FakeWatch(FakeResourceType type, string? ns, Func<System.Text.Json.Nodes.JsonObject, bool> filter)
{
    public FakeResourceType Type { get; } = type;

    public string? Namespace { get; } = ns;

    public Func<System.Text.Json.Nodes.JsonObject, bool> Filter { get; } = filter;

    public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
}
