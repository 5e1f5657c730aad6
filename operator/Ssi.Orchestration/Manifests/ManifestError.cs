namespace Ssi.Orchestration.Manifests;

/// <summary>One problem in a manifest: the field it concerns, where it is, and why.</summary>
public sealed record ManifestError(string Path, string Message, SourceLocation? Location)
{
    public override string ToString()
    {
        var where = Location is { } l ? $"{l}: " : "";
        var field = Path.Length == 0 ? "" : $"{Path}: ";
        return $"{where}{field}{Message}";
    }
}
