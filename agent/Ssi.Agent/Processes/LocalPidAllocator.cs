using System.Globalization;

namespace Ssi.Agent.Processes;

/// <summary>
/// Hands out node-local process numbers, never twice on this node, also across agent restarts:
/// the high-water mark is persisted in blocks, so a restart skips at most one block.
/// </summary>
internal sealed class LocalPidAllocator
{
    public const int Block = 1000;
    private readonly string? _file;
    private readonly Lock _lock = new();
    private long _next;
    private long _reservedUntil;

    public LocalPidAllocator(string? stateDirectory)
    {
        if (stateDirectory is not null)
        {
            Directory.CreateDirectory(stateDirectory);
            _file = Path.Combine(stateDirectory, "local-pid-high-water");
            _next = File.Exists(_file) && long.TryParse(File.ReadAllText(_file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var saved) ? saved : 0;
        }

        _reservedUntil = _next;
    }

    /// <summary>The next number, 1..999999; wraps around after the last one.</summary>
    public long Next()
    {
        lock (_lock)
        {
            _next = _next % (Agent.Contracts.Processes.ClusterPid.LocalRange - 1) + 1;
            if (_next > _reservedUntil || _next == 1)
            {
                _reservedUntil = _next + Block;
                if (_file is not null)
                {
                    var temporary = _file + ".tmp";
                    File.WriteAllText(temporary, _reservedUntil.ToString(CultureInfo.InvariantCulture));
                    File.Move(temporary, _file, overwrite: true);
                }
            }

            return _next;
        }
    }
}
