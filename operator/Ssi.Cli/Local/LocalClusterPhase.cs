namespace Ssi.Cli.Local;

internal enum LocalClusterPhase
{
    Creating,
    Up,
    Failed,
}
