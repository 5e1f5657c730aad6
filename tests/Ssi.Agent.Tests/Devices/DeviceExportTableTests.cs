using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ssi.Agent.Devices;

namespace Ssi.Agent.Tests.Devices;

/// <summary>The allowlist: only the character devices it names (or its globs match) are exported, by a flat name.</summary>
public sealed class DeviceExportTableTests
{
    private static DeviceExportTable Table(params string[] exports) =>
        new(new FixedOptionsMonitor<DevicesOptions>(new DevicesOptions { Exports = [.. exports] }), NullLogger<DeviceExportTable>.Instance);

    [Fact]
    public void Listed_character_devices_are_exported_by_name_with_their_numbers()
    {
        var exports = Table("/dev/null", "/dev/zero").Resolve();

        Assert.Equal(["null", "zero"], exports.Select(e => e.Name));
        var zero = exports[1];
        Assert.Equal(("/dev/zero", 1u, 5u), (zero.Path, zero.Major, zero.Minor));
    }

    [Fact]
    public void Nothing_is_exported_by_default()
    {
        Assert.Empty(Table().Resolve());
        Assert.Null(Table().Find("null"));
    }

    [Fact]
    public void A_glob_matches_the_character_devices_of_its_directory()
    {
        var names = Table("/dev/nul?", "/dev/z*").Resolve().Select(e => e.Name).ToList();

        Assert.Contains("null", names);
        Assert.Contains("zero", names);
        Assert.DoesNotContain("full", names);
    }

    [Theory]
    [InlineData("/dev/stdin")]   // a symbolic link (to /proc/self/fd/0)
    [InlineData("/dev/shm")]     // a directory
    [InlineData("/dev/pts")]     // a directory
    [InlineData("/etc/passwd")]  // not under /dev
    [InlineData("/dev/../etc/passwd")]
    [InlineData("/dev/does-not-exist")]
    public void Anything_but_a_character_device_under_dev_is_refused(string path)
    {
        Assert.Empty(Table(path).Resolve());
        Assert.Null(DeviceExportTable.Describe(path));
    }

    [Fact]
    public void Names_not_on_the_list_are_not_found_even_when_the_device_exists()
    {
        var table = Table("/dev/null");

        Assert.NotNull(table.Find("null"));
        Assert.Null(table.Find("zero"));
        Assert.Null(table.Find("../zero"));
        Assert.Null(table.Find("/dev/zero"));
    }

    [Theory]
    [InlineData("/dev/ttyS0", "ttyS0")]
    [InlineData("/dev/net/tun", "net-tun")]
    [InlineData("/dev/pts/3", "pts-3")]
    public void Device_paths_become_flat_names(string path, string name)
    {
        Assert.Equal(name, DeviceExportTable.NameOf(path));
    }
}
