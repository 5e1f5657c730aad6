namespace Ssi.Agent.Migration.Relay;

internal static class RelayDirections
{
    public static RelayDirection Parse(string direction) => direction switch
    {
        "read" => RelayDirection.Read,
        "write" => RelayDirection.Write,
        _ => RelayDirection.Both,
    };

    public static bool HomeSends(this RelayDirection direction) => direction != RelayDirection.Write;

    public static bool HomeReceives(this RelayDirection direction) => direction != RelayDirection.Read;
}
