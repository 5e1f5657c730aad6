using System.Text.RegularExpressions;

namespace Ssi.Api.Validation;

/// <summary>Kubernetes name rules.</summary>
public static partial class Dns1123
{
    public const int MaxLabelLength = 63;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    /// <summary>Returns why <paramref name="value"/> is not a DNS-1123 label of at most <paramref name="maxLength"/> characters, or null.</summary>
    public static string? CheckLabel(string? value, int maxLength = MaxLabelLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > maxLength)
        {
            return $"\"{value}\" is longer than {maxLength} characters";
        }

        return LabelPattern().IsMatch(value)
            ? null
            : $"\"{value}\" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)";
    }
}
