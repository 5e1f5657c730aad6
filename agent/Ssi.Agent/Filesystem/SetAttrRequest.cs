namespace Ssi.Agent.Filesystem;

/// <summary>A setattr: which fields (FATTR_* bits) and their new values.</summary>
internal readonly record struct SetAttrRequest(
    uint Valid,
    ulong Handle,
    ulong Size,
    long AtimeSeconds,
    uint AtimeNanoseconds,
    long MtimeSeconds,
    uint MtimeNanoseconds,
    uint Mode,
    uint Uid,
    uint Gid);
