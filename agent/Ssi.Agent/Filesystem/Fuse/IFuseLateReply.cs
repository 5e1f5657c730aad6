namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>Where the reply to a request answered <see cref="FuseReply.Later"/> goes once it is ready: the kernel's device, or the transport that forwarded the request.</summary>
internal interface IFuseLateReply
{
    void Send(ReadOnlySpan<byte> reply);
}
