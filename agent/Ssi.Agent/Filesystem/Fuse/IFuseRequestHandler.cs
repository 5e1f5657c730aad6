namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>Answers one FUSE request (other than INIT, DESTROY, INTERRUPT, which the session keeps).</summary>
internal interface IFuseRequestHandler
{
    /// <summary>Writes the reply for <paramref name="request"/> into <paramref name="output"/>; returns its length, 0 for none.</summary>
    int Handle(ReadOnlySpan<byte> request, Span<byte> output);
}
