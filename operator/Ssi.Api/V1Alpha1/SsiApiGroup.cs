namespace Ssi.Api.V1Alpha1;

/// <summary>The API group and version of every SSI custom resource.</summary>
public static class SsiApiGroup
{
    public const string Group = "ssi.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
}
