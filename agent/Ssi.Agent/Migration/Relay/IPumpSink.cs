namespace Ssi.Agent.Migration.Relay;

/// <summary>Where a <see cref="DescriptorPump"/> delivers what it read (called on the pump's thread, one call at a time).</summary>
internal interface IPumpSink
{
    /// <summary>
    /// A chunk: <paramref name="frame"/> starts with <see cref="Bulk.BulkFrame.HeaderSize"/> bytes of
    /// room for a frame header, the bytes read follow. Throws IOException when the chunk could not be
    /// delivered (it is kept for the next sink).
    /// </summary>
    void Data(Span<byte> frame);

    /// <summary>End of file (or the descriptor failed); this sink gets nothing more.</summary>
    void End();
}
