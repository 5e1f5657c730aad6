namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// The layers of a container's root when it is an overlay: the writable layer (upperdir), where
/// everything the container wrote outside its volumes lives, and the read-only image layers
/// (lowerdir). A landing container has the same image but a writable layer of its own, empty: what
/// the workload wrote there stays on the source node.
/// </summary>
internal sealed record WritableLayer(string Upper, IReadOnlyList<string> Lowers)
{
    /// <summary>From the super options of an overlay mount (mountinfo); null for any other file system, or an overlay without a writable layer. Pure.</summary>
    public static WritableLayer? Parse(string fileSystemType, string superOptions)
    {
        ArgumentNullException.ThrowIfNull(superOptions);
        if (fileSystemType != "overlay")
        {
            return null;
        }

        string? upper = null;
        var lowers = new List<string>();
        foreach (var option in SplitUnescaped(superOptions, ','))
        {
            if (option.StartsWith("upperdir=", StringComparison.Ordinal))
            {
                upper = Unescape(option["upperdir=".Length..]);
            }
            else if (option.StartsWith("lowerdir=", StringComparison.Ordinal))
            {
                lowers.AddRange(SplitUnescaped(option["lowerdir=".Length..], ':').Select(Unescape));
            }
            else if (option.StartsWith("lowerdir+=", StringComparison.Ordinal))
            {
                lowers.Add(Unescape(option["lowerdir+=".Length..]));
            }
        }

        return upper is null ? null : new WritableLayer(upper, lowers);
    }

    /// <summary>
    /// Why a file or directory the workload holds at <paramref name="path"/> (in the container) cannot
    /// be found in a landing container, or null when it can: a file present in the writable layer
    /// (created or changed there; the image's copy, if any, is not it), a directory that exists in
    /// the writable layer only. <paramref name="exists"/> answers for a path of the layers. Pure.
    /// </summary>
    public string? Unreachable(string path, bool directory, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(exists);
        if (!exists(Under(Upper, path)))
        {
            return null;
        }

        if (!directory)
        {
            return "written in the container's writable layer, which stays on this node (a landing container has the image and the volumes, not what the container wrote elsewhere)";
        }

        return Lowers.Any(l => exists(Under(l, path)))
            ? null
            : "a directory made in the container's writable layer, which stays on this node";
    }

    private static string Under(string layer, string path) => layer.TrimEnd('/') + "/" + path.TrimStart('/');

    /// <summary>overlayfs escapes its separators (',' and ':') and the backslash with a backslash.</summary>
    private static IEnumerable<string> SplitUnescaped(string value, char separator)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == separator)
            {
                yield return value[start..i];
                start = i + 1;
            }
        }

        yield return value[start..];
    }

    private static string Unescape(string value) => value.Replace("\\:", ":", StringComparison.Ordinal).Replace("\\,", ",", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}
