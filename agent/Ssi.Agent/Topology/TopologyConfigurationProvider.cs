using System.Globalization;
using Microsoft.Extensions.Configuration;
using Ssi.Agent.Contracts.Topology;
using Ssi.Agent.Devices;
using Ssi.Agent.Hosting;

namespace Ssi.Agent.Topology;

/// <summary>
/// The cluster topology file as configuration: this node's <c>Agent:NodeIndex</c> and
/// <c>Devices:Exports</c>, and every other node with an endpoint as <c>Devices:Peers</c>. The file is
/// polled (a ConfigMap volume is updated by swapping a symbolic link, which file watchers miss); a
/// change raises the configuration's reload token, so <c>IOptionsMonitor</c> readers see it. A file
/// that cannot be read or parsed keeps the last good values.
/// </summary>
internal sealed class TopologyConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly string _path;
    private readonly string _node;
    private readonly Timer _timer;
    private string? _lastText;

    public TopologyConfigurationProvider(string path, string node, TimeSpan pollInterval)
    {
        _path = path;
        _node = node;
        _timer = new Timer(_ => Poll(), null, pollInterval, pollInterval);
    }

    public override void Load() => Poll(raiseChange: false);

    /// <summary>The configuration keys a topology gives <paramref name="node"/> (pure).</summary>
    public static IDictionary<string, string?> KeysFor(ClusterTopology topology, string node)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (topology.Find(node) is { } self)
        {
            keys[$"{AgentOptions.Section}:{nameof(AgentOptions.NodeIndex)}"] = self.Index.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < self.Devices.Count; i++)
            {
                keys[$"{DevicesOptions.Section}:{nameof(DevicesOptions.Exports)}:{i.ToString(CultureInfo.InvariantCulture)}"] = self.Devices[i];
            }
        }

        var peers = topology.Nodes.Where(n => n.Name != node && !string.IsNullOrEmpty(n.Endpoint)).OrderBy(n => n.Index).ToList();
        for (var i = 0; i < peers.Count; i++)
        {
            keys[$"{DevicesOptions.Section}:{nameof(DevicesOptions.Peers)}:{i.ToString(CultureInfo.InvariantCulture)}"] = $"{peers[i].Name}={peers[i].Endpoint}";
        }

        return keys;
    }

    private void Poll(bool raiseChange = true)
    {
        string text;
        ClusterTopology topology;
        try
        {
            text = File.ReadAllText(_path);
            if (text == _lastText)
            {
                return;
            }

            topology = ClusterTopology.Parse(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return;
        }

        _lastText = text;
        Data = KeysFor(topology, _node);
        if (raiseChange)
        {
            OnReload();
        }
    }

    public void Dispose() => _timer.Dispose();
}
