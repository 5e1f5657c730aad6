namespace Ssi.Orchestration.Manifests;

/// <summary>A manifest that cannot be read or is invalid; <see cref="Errors"/> names every bad field.</summary>
public sealed class ManifestException : Exception
{
    public ManifestException(IReadOnlyList<ManifestError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public ManifestException()
        : this([])
    {
    }

    public ManifestException(string message)
        : this([new ManifestError("", message, null)])
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ManifestError("", message, null)];
    }

    public IReadOnlyList<ManifestError> Errors { get; }

    private static string Format(IReadOnlyList<ManifestError> errors) => errors.Count switch
    {
        0 => "The manifest is invalid.",
        1 => errors[0].ToString(),
        _ => $"{errors.Count} problems:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors),
    };
}
