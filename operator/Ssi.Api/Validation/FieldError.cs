namespace Ssi.Api.Validation;

/// <summary>One invalid field: its path in the object (e.g. <c>spec.nodes[1].name</c>) and why.</summary>
public sealed record FieldError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
