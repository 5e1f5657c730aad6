using System.Diagnostics;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>Runs a python3 script (plain system calls, as another user when it forks and switches); its output lines, or a failed assertion with its stderr.</summary>
internal static class PythonScript
{
    /// <summary>
    /// Prepended to every script: <c>as_user(uid, gid, fn)</c> runs <c>fn</c> in a child process with
    /// umask 0 and only those ids (pjdfstest's way), and fails the script if the child fails;
    /// <c>create(path, mode)</c> makes an empty file.
    /// </summary>
    private const string Prelude = """
        import os, sys, stat, time
        def create(path, mode):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, mode))
        def as_user(uid, gid, fn, groups=None):
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    os.umask(0)
                    os.setgroups(groups or [gid])
                    os.setgid(gid)
                    os.setuid(uid)
                    fn()
                    sys.stdout.flush()
                    os._exit(0)
                except BaseException as e:
                    print("child failed:", repr(e), file=sys.stderr)
                    sys.stderr.flush()
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            assert status == 0, "the child as uid %d failed" % uid

        """;

    public static async Task<string[]> RunAsync(string script)
    {
        using var python = Process.Start(new ProcessStartInfo("python3", ["-c", Prelude + script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await errors);
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
