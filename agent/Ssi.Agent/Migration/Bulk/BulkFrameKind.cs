namespace Ssi.Agent.Migration.Bulk;

/// <summary>What a frame of a bulk link carries (see <see cref="BulkFrame"/> for the layouts).</summary>
internal enum BulkFrameKind : ushort
{
    /// <summary>Stand-in to home, first frame of a relay: the object's id and the stand-in's node (two texts).</summary>
    Attach = 1,

    /// <summary>Home to stand-in: this stand-in is served now (empty).</summary>
    Active = 2,

    /// <summary>Either way: bytes of the relayed object, or of the current image file.</summary>
    Data = 3,

    /// <summary>Either way: end of file (for a stream socket: of one way only).</summary>
    Eof = 4,

    /// <summary>Either way: the reader on the sender's side closed; the other side stops writing.</summary>
    Closed = 5,

    /// <summary>Home to stand-in: the terminal's window size (u16 rows, u16 columns).</summary>
    Resize = 6,

    /// <summary>Stand-in to home: the process moved on, stop sending; home to stand-in: stopped, give back.</summary>
    Detach = 7,

    /// <summary>Stand-in to home: nothing more comes from this side (the link then closes).</summary>
    End = 8,

    /// <summary>Source to target, first frame of an image transfer: the attempt's id (text).</summary>
    Images = 16,

    /// <summary>Source to target: the next image file (its name, text); its bytes follow as Data.</summary>
    ImageFile = 17,

    /// <summary>Source to target: that was every file (empty).</summary>
    ImagesEnd = 18,

    /// <summary>Target to source: every file is in the image directory (i64 bytes, i32 files).</summary>
    ImagesReceived = 19,

    /// <summary>
    /// Source to target, before ImagesEnd: the restore to start as soon as the images are in (a
    /// serialized RestoreRequest, at most <see cref="BulkFrame.MaxPayload"/> bytes).
    /// </summary>
    RestoreOrder = 20,

    /// <summary>Source to target, after the commit: the original ended, let the restored copy run (empty).</summary>
    Resume = 21,

    /// <summary>Target to source: the restored copy runs (i64: since when, Unix ms on the target's clock).</summary>
    Resumed = 22,

    /// <summary>
    /// Target to source, when the ordered restore ended well: the copy is restored and stopped (i32 host
    /// PID of its shim, i64 restore ms). When it failed the target sends Refused with the reason.
    /// </summary>
    Restored = 23,

    /// <summary>Server to client: the request is refused (UTF-8 reason); the link closes.</summary>
    Refused = 32,
}
