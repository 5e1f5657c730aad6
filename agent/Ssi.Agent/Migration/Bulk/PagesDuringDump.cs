using Ssi.Agent.Native;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Sends the memory images of a dump (pages-*.img, most of its bytes) while criu is still writing
/// the rest: each as soon as criu closes it, so that the transfer after the dump is only the small
/// images. Nothing rewrites a pages image after criu closed it (the images the agent edits after the
/// dump are others), and criu never opens one again. A thread of its own waits for the closes;
/// <see cref="Finish"/> sends what was closed last, stops it and tells which files went.
/// </summary>
internal sealed class PagesDuringDump : IDisposable
{
    private readonly string _directory;
    private readonly ImageSender _sender;
    private readonly CloseWriteWatch _watch;
    private readonly Thread _thread;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private Exception? _failure;

    /// <summary>Starts watching <paramref name="directory"/> (before criu starts writing in it).</summary>
    public PagesDuringDump(string directory, ImageSender sender)
    {
        _directory = directory;
        _sender = sender;
        _watch = new CloseWriteWatch(directory);
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = "pages-during-dump" };
        _thread.Start();
    }

    public static bool IsPages(string name) => name.StartsWith("pages-", StringComparison.Ordinal) && name.EndsWith(".img", StringComparison.Ordinal);

    /// <summary>
    /// After criu exited: sends the pages images closed meanwhile and returns the names of all those
    /// sent; throws what failed while sending (the link broke: the checkpoint fails as a whole).
    /// </summary>
    public IReadOnlySet<string> Finish()
    {
        _watch.Wake();
        _thread.Join();
        if (_failure is not null)
        {
            throw new IOException($"sending memory images during the dump failed: {_failure.Message}", _failure);
        }

        return _sent;
    }

    private void Run()
    {
        try
        {
            bool woken;
            do
            {
                woken = _watch.Wait();
                foreach (var name in _watch.Closed())
                {
                    if (IsPages(name) && _sent.Add(name))
                    {
                        _sender.File(Path.Combine(_directory, name));
                    }
                }
            }
            while (!woken);

            // Closes missed when the event queue overflowed are no loss: those files go with the rest.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NativeException or UnauthorizedAccessException)
        {
            _failure = e;
        }
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            _watch.Wake();
            _thread.Join();
        }

        _watch.Dispose();
    }
}
