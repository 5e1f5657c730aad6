using Ssi.Orchestration.Devices;
using Ssi.Orchestration.Processes;

namespace Ssi.Cli.Commands;

/// <summary>The machine-readable form of <c>ssi dev ls -o json</c>.</summary>
internal sealed record DeviceListJson(IReadOnlyList<DeviceJson> Devices, IReadOnlyList<UnreachableNode> Unreachable)
{
    public static DeviceListJson From(ClusterDeviceList list) => new(
        list.Devices.Select(d => new DeviceJson(
            d.Node,
            d.Device.Name,
            d.Device.Path,
            $"/run/ssi/dev/{d.Node}/{d.Device.Name}",
            d.Device.Major,
            d.Device.Minor,
            d.Device.Openers.Select(o => new DeviceOpenerJson(o.Node, o.Pid, o.Command)).ToList())).ToList(),
        list.Unreachable);
}
