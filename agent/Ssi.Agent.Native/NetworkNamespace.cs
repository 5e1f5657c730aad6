namespace Ssi.Agent.Native;

/// <summary>
/// Runs code inside another network namespace. A socket belongs to the namespace it was created
/// in, so a socket made here keeps talking in that namespace after the thread has left it: this is
/// how the CLI on the host reaches agents whose addresses exist only inside their node's namespace.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Runs <paramref name="action"/> on a fresh thread that has joined the namespace at <paramref name="namespacePath"/> (e.g. /run/netns/x).</summary>
    public static T Run<T>(string namespacePath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunOnThisThread(namespacePath, action);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns-enter",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure is NativeException ? failure : new IOException($"in network namespace {namespacePath}: {failure.Message}", failure);
        }

        return result;
    }

    private static T RunOnThisThread<T>(string namespacePath, Func<T> action)
    {
        var original = LibC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (original < 0)
        {
            throw NativeException.Last("open /proc/thread-self/ns/net");
        }

        try
        {
            var target = LibC.open(namespacePath, LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (target < 0)
            {
                throw NativeException.Last($"open {namespacePath}");
            }

            try
            {
                if (LibC.setns(target, LibC.CLONE_NEWNET) != 0)
                {
                    throw NativeException.Last($"setns {namespacePath}");
                }
            }
            finally
            {
                LibC.close(target);
            }

            try
            {
                return action();
            }
            finally
            {
                if (LibC.setns(original, LibC.CLONE_NEWNET) != 0)
                {
                    // A thread stuck in the wrong namespace must not go back to any pool; it ends here anyway.
                    Environment.FailFast("could not return to the original network namespace");
                }
            }
        }
        finally
        {
            LibC.close(original);
        }
    }
}
