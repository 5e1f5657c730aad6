namespace Ssi.Agent.Filesystem.Remote;

/// <summary>
/// Whether this node is registered with the home for invalidations now. Only then may its kernel
/// use what it caches, and only then are its requests forwarded: a node the home cannot tell about
/// changes must not read cached data, nor fill its caches anew.
/// </summary>
internal sealed class HomeLink
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _up;

    /// <summary>Completes when the home registered this node the first time.</summary>
    public Task FirstConnected => _first.Task;

    public bool IsUp => Volatile.Read(ref _up) == 1;

    public void Up()
    {
        Volatile.Write(ref _up, 1);
        _first.TrySetResult();
    }

    public void Down() => Volatile.Write(ref _up, 0);
}
