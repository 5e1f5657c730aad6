using Ssi.Agent.Migration.Landing;

namespace Ssi.Agent.Tests.Migration;

public sealed class WritableLayerTests
{
    private static readonly WritableLayer Layer = new("/snapshots/215/fs", ["/snapshots/211/fs", "/snapshots/210/fs"]);

    [Fact]
    public void An_overlays_options_name_its_writable_layer_and_its_image_layers()
    {
        var layer = WritableLayer.Parse("overlay", "rw,lowerdir=/snapshots/211/fs:/snapshots/210/fs,upperdir=/snapshots/215/fs,workdir=/snapshots/215/work,index=off")!;

        Assert.Equal("/snapshots/215/fs", layer.Upper);
        Assert.Equal(["/snapshots/211/fs", "/snapshots/210/fs"], layer.Lowers);
    }

    [Fact]
    public void Layers_given_one_by_one_and_escaped_separators_are_read()
    {
        var layer = WritableLayer.Parse("overlay", @"rw,lowerdir+=/l/a\:b,lowerdir+=/l/c\,d,upperdir=/u,workdir=/w")!;

        Assert.Equal(["/l/a:b", "/l/c,d"], layer.Lowers);
        Assert.Equal("/u", layer.Upper);
    }

    [Fact]
    public void Other_file_systems_and_read_only_overlays_have_no_writable_layer()
    {
        Assert.Null(WritableLayer.Parse("ext4", "rw"));
        Assert.Null(WritableLayer.Parse("overlay", "ro,lowerdir=/a:/b"));
    }

    [Fact]
    public void A_file_in_the_writable_layer_cannot_be_found_in_a_landing_container()
    {
        var exists = Exists("/snapshots/215/fs/var/log/app.log", "/snapshots/211/fs/etc/app.conf", "/snapshots/215/fs/etc/changed.conf", "/snapshots/210/fs/etc/changed.conf");

        Assert.Contains("writable layer", Layer.Unreachable("/var/log/app.log", directory: false, exists));
        Assert.Contains("writable layer", Layer.Unreachable("/etc/changed.conf", directory: false, exists)); // copied up: not the image's any more
        Assert.Null(Layer.Unreachable("/etc/app.conf", directory: false, exists));
    }

    [Fact]
    public void A_directory_is_unreachable_only_when_the_writable_layer_alone_has_it()
    {
        var exists = Exists("/snapshots/215/fs/etc", "/snapshots/210/fs/etc", "/snapshots/215/fs/work");

        Assert.Null(Layer.Unreachable("/etc", directory: true, exists));
        Assert.Contains("directory made", Layer.Unreachable("/work", directory: true, exists));
        Assert.Null(Layer.Unreachable("/srv", directory: true, exists));
    }

    private static Func<string, bool> Exists(params string[] paths) => p => paths.Contains(p, StringComparer.Ordinal);
}
