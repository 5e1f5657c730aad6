namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// Lets a read-only descriptor of a file the container runtime binds into a pod by itself
/// (/etc/hosts, /etc/hostname, /etc/resolv.conf: the mount point is the file) reopen the landing
/// pod's own copy, which says the landing pod's address and name and so rarely has the same size.
/// criu refuses a reopened file whose size differs from the dumped one's; for these entries of
/// files.img the size is left out, so only the mode is checked. Descriptors open for writing keep the check.
/// </summary>
internal static class BoundFileImages
{
    // fd_types REG in CRIU's fdinfo.proto; file_entry: type = 1, reg = 3
    private const uint RegularType = 1;
    private const int FileType = 1;
    private const int FileRegular = 3;

    // reg_file_entry: flags = 2, name = 6, size = 8
    private const int Flags = 2;
    private const int Name = 6;
    private const int Size = 8;

    /// <summary>Rewrites files.img in <paramref name="directory"/>; returns how many entries lost their size.</summary>
    public static int Apply(string directory, IReadOnlySet<string> boundFiles)
    {
        var path = Path.Combine(directory, "files.img");
        if (boundFiles.Count == 0 || !File.Exists(path))
        {
            return 0;
        }

        var (image, relaxed) = Rewrite(File.ReadAllBytes(path), boundFiles);
        if (relaxed > 0)
        {
            CriuImage.Replace(path, image);
        }

        return relaxed;
    }

    /// <summary>files.img with the size left out of every read-only regular file entry named in <paramref name="boundFiles"/>.</summary>
    public static (byte[] Image, int Relaxed) Rewrite(byte[] image, IReadOnlySet<string> boundFiles)
    {
        ArgumentNullException.ThrowIfNull(boundFiles);
        var parsed = CriuImage.Parse(image);
        var relaxed = 0;
        var entries = new List<ReadOnlyMemory<byte>>(parsed.Entries.Count);
        foreach (var entry in parsed.Entries)
        {
            var fields = ProtoWire.Parse(entry);
            if (ProtoWire.Varint(fields, FileType) == RegularType && ProtoWire.Message(fields, FileRegular) is { } regular
                && ProtoWire.Parse(regular) is var file
                && (ProtoWire.Varint(file, Flags) ?? 0) % 4 == 0 /* O_RDONLY */
                && file.Any(f => f.Number == Size)
                && ProtoWire.Message(file, Name) is { } name && boundFiles.Contains(System.Text.Encoding.UTF8.GetString(name.Span)))
            {
                relaxed++;
                var withoutSize = ProtoWire.Write(file.Where(f => f.Number != Size));
                entries.Add(ProtoWire.Write(fields.Select(f => f.Number == FileRegular ? ProtoField.Bytes(FileRegular, withoutSize) : f)));
                continue;
            }

            entries.Add(entry);
        }

        return relaxed == 0 ? (image, 0) : (new CriuImage(parsed.Head, entries).ToBytes(), relaxed);
    }
}
