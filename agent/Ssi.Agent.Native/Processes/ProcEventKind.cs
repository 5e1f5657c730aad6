namespace Ssi.Agent.Native.Processes;

public enum ProcEventKind
{
    Fork,
    Exec,
    Exit,
}
