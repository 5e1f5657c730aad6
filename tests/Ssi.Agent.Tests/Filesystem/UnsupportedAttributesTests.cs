using System.Text;
using Ssi.Agent.Filesystem;

namespace Ssi.Agent.Tests.Filesystem;

public sealed class UnsupportedAttributesTests
{
    [Theory]
    [InlineData("system.posix_acl_access", true)]
    [InlineData("system.posix_acl_default", true)]
    [InlineData("security.selinux", true)]
    [InlineData("security.capability", false)]
    [InlineData("user.selinux", false)]
    [InlineData("security.selinux2", false)]
    public void Only_ACLs_and_SELinux_labels_are_not_kept(string name, bool unsupported) =>
        Assert.Equal(unsupported, UnsupportedAttributes.Contains(Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void A_list_loses_the_names_not_kept_and_keeps_the_others_in_order()
    {
        var list = "user.a\0security.selinux\0system.posix_acl_access\0security.capability\0"u8;
        var into = new byte[64];

        var length = UnsupportedAttributes.Filter(list, into);

        Assert.Equal("user.a\0security.capability\0", Encoding.ASCII.GetString(into, 0, length));
        Assert.Equal(length, UnsupportedAttributes.Filter(list, []));
    }

    [Fact]
    public void A_list_that_does_not_fit_is_ERANGE()
    {
        var error = Assert.Throws<FsError>(() => UnsupportedAttributes.Filter("user.a\0user.b\0"u8, new byte[10]));

        Assert.Equal(Errno.ERANGE, error.Errno);
    }

    [Fact]
    public void A_list_of_only_unkept_names_is_empty() =>
        Assert.Equal(0, UnsupportedAttributes.Filter("security.selinux\0"u8, new byte[8]));
}
