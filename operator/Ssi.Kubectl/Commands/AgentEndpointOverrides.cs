namespace Ssi.Kubectl.Commands;

/// <summary>Parses <c>--agent-endpoint NODE=HOST:PORT</c> values.</summary>
internal static class AgentEndpointOverrides
{
    public static bool TryParse(IEnumerable<string> values, out Dictionary<string, string> endpoints, out string error)
    {
        endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        error = "";
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            var colon = value.LastIndexOf(':');
            if (equals <= 0 || colon <= equals + 1 || colon == value.Length - 1 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                error = $"--agent-endpoint \"{value}\" is not NODE=HOST:PORT";
                return false;
            }

            endpoints[value[..equals]] = value[(equals + 1)..];
        }

        return true;
    }
}
