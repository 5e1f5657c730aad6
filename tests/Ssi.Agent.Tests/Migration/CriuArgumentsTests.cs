using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Migration.Planning;

namespace Ssi.Agent.Tests.Migration;

public sealed class CriuArgumentsTests
{
    [Fact]
    public void Dump_leaves_the_tree_stopped_and_declares_mounts_and_relayed_terminals_external()
    {
        var args = CriuArguments.Dump(42, "/dev/shm/x", ["tty[8803:1a]", "tty[8803:1a]", "socket:[777]", "pipe:[5]", "file[1c:41]"]);

        Assert.Equal(["dump", "-t", "42", "-D", "/dev/shm/x"], args.Take(5));
        Assert.Contains("--leave-stopped", args);
        var external = args.Select((a, i) => (a, i)).Where(x => x.a == "--external").Select(x => args[x.i + 1]).ToList();
        Assert.Equal(["mnt[]", "file[1c:41]", "tty[8803:1a]", "unix[777]"], external);
        Assert.Contains("--tcp-close", args);
    }

    [Fact]
    public void Restore_is_detached_stopped_rebuilds_the_mount_namespace_on_the_root_and_inherits_each_stand_in_by_key()
    {
        var args = CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [(4, "tty[8803:1a]"), (3, "pipe:[77]"), (5, "file[1c:41]")], "/run/ssi/restore-root");

        Assert.Contains("-d", args);
        Assert.Equal("/run/ssi/restore-root", args[args.ToList().IndexOf("--root") + 1]);
        Assert.Equal("mnt[]", args[args.ToList().IndexOf("--external") + 1]);
        Assert.Contains("--leave-stopped", args);
        var inherited = args.Select((a, i) => (a, i)).Where(x => x.a == "--inherit-fd").Select(x => args[x.i + 1]).ToList();
        Assert.Equal(["fd[3]:pipe:[77]", "fd[4]:tty[8803:1a]", "fd[5]:ile[1c:41]"], inherited);
        Assert.DoesNotContain("--lazy-pages", args);
    }

    [Fact]
    public void Connections_moved_with_TCP_repair_are_dumped_and_restored_established_and_locked_with_nftables()
    {
        var dump = CriuArguments.Dump(42, "/dev/shm/x", [], repairTcp: true);
        var restore = CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [], "/run/ssi/restore-root", repairTcp: true);

        foreach (var args in new[] { dump, restore })
        {
            Assert.Contains("--tcp-established", args);
            Assert.DoesNotContain("--tcp-close", args);
            Assert.Equal("nftables", args[args.ToList().IndexOf("--network-lock") + 1]);
        }

        Assert.Equal("skip", CriuArguments.Dump(42, "/dev/shm/x", [])[CriuArguments.Dump(42, "/dev/shm/x", []).ToList().IndexOf("--network-lock") + 1]);
        Assert.Contains("--tcp-close", CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [], "/run/ssi/restore-root"));
    }

    [Fact]
    public void The_lock_table_of_a_dump_is_named_after_the_run_id_in_its_inventory()
    {
        byte[] head = [0x32, 0x30, 0x23, 0x58]; // inventory.img: its own magic only
        var entry = ProtoWire.Write([ProtoField.Number32(1, 2), ProtoField.Bytes(13, "4b5d9e3f-55bc-4c8a-ac1e-0123456789ab"u8.ToArray())]);
        var withRun = new CriuImage(head, [entry]).ToBytes();
        var withoutRun = new CriuImage(head, [ProtoWire.Write([ProtoField.Number32(1, 2)])]).ToBytes();

        // As `nft list tables` shows it: criu cuts "inet CRIU-RUNID" to 31 characters.
        Assert.Equal("CRIU-4b5d9e3f-55bc-4c8a-ac", RepairedConnections.LockTableOf(withRun));
        Assert.Null(RepairedConnections.LockTableOf(withoutRun));
    }

    [Fact]
    public void Restore_into_a_landing_placeholder_joins_its_net_ipc_and_uts_namespaces()
    {
        var args = CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [], "/run/ssi/restore-root", landing: new LandingPlaceholder(4242));

        var joined = args.Select((a, i) => (a, i)).Where(x => x.a == "--join-ns").Select(x => args[x.i + 1]).ToList();
        Assert.Equal(["net:/proc/4242/ns/net", "ipc:/proc/4242/ns/ipc", "uts:/proc/4242/ns/uts"], joined);
    }

    [Fact]
    public void A_workloads_own_network_namespace_is_left_out_of_the_dump_and_handed_in_instead_of_joined()
    {
        var dump = CriuArguments.Dump(42, "/dev/shm/x", [], ownNetwork: 4026532549);
        var restore = CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [(3, CriuArguments.WorkloadNetworkKey)], "/run/ssi/restore-root", landing: new LandingPlaceholder(4242));

        Assert.Contains("net[4026532549]:workload-net", dump);
        Assert.Contains("fd[3]:workload-net", restore);
        var joined = restore.Select((a, i) => (a, i)).Where(x => x.a == "--join-ns").Select(x => restore[x.i + 1]).ToList();
        Assert.Equal(["ipc:/proc/4242/ns/ipc", "uts:/proc/4242/ns/uts"], joined);
        Assert.DoesNotContain(CriuArguments.Dump(42, "/dev/shm/x", []), a => a.StartsWith("net[", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_without_a_landing_placeholder_stays_in_the_nodes_namespaces()
    {
        Assert.DoesNotContain("--join-ns", CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [], "/run/ssi/restore-root"));
    }

    [Fact]
    public void Tty_keys_are_lowercase_hex_of_rdev_and_dev()
    {
        Assert.Equal("tty[8803:1a]", DescriptorClassifier.TtyKey((136 << 8) | 3, 0x1a));
    }

    [Fact]
    public void A_container_is_dumped_with_its_outside_mounts_declared_by_mount_point_and_nothing_guessed()
    {
        var args = CriuArguments.Dump(42, "/dev/shm/x", ["pipe:[5]"], containerMounts: ["/data", "/etc/hosts"]);

        var external = args.Select((a, i) => (a, i)).Where(x => x.a == "--external").Select(x => args[x.i + 1]).ToList();
        Assert.Equal(["mnt[/data]:/data", "mnt[/etc/hosts]:/etc/hosts"], external);
    }

    [Fact]
    public void A_container_is_restored_on_the_landing_containers_root_with_each_mount_bound_from_its_copy()
    {
        var args = CriuArguments.Restore("/dev/shm/x", "/dev/shm/x/restore.pid", [], "/run/ssi-landing/node2/a1/root", landing: new LandingPlaceholder(4242),
            containerMounts: [("/data", "/run/ssi-landing/node2/a1/0"), ("/etc/hosts", "/run/ssi-landing/node2/a1/1")]);

        Assert.Equal("/run/ssi-landing/node2/a1/root", args[args.ToList().IndexOf("--root") + 1]);
        var external = args.Select((a, i) => (a, i)).Where(x => x.a == "--external").Select(x => args[x.i + 1]).ToList();
        Assert.Equal(["mnt[/data]:/run/ssi-landing/node2/a1/0", "mnt[/etc/hosts]:/run/ssi-landing/node2/a1/1"], external);
    }
}
