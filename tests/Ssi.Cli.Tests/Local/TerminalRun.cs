using System.Text;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Agent.Native.Terminals;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Local;

/// <summary>The real `ssi run` started on a pty of the test (as from a user's terminal): type into it, wait for output, get its exit.</summary>
internal sealed class TerminalRun : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly int _master;
    private readonly int _pid;
    private readonly Task _reader;

    public TerminalRun(IReadOnlyList<string> arguments, ushort rows = 24, ushort columns = 80)
    {
        Prerequisites.RequireRoot();
        var (master, slave) = Pty.Open();
        _master = master;
        Pty.SetWindowSize(master, rows, columns);
        _pid = Spawner.Start(new SpawnOptions([RepositoryPaths.Cli, .. arguments])
        {
            NewSession = true,
            ControllingTerminal = slave,
            WorkingDirectory = RepositoryPaths.Root,
        });
        _reader = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[4096];
            int n;
            while ((n = FileDescriptor.Read(master, buffer)) > 0)
            {
                lock (_output)
                {
                    _output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }, TaskCreationOptions.LongRunning);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Bytes as typed on the terminal (^C is 0x03, ^D 0x04).</summary>
    public void Type(ReadOnlySpan<byte> keys) => FileDescriptor.WriteAll(_master, keys);

    public void Resize(ushort rows, ushort columns) => Pty.SetWindowSize(_master, rows, columns);

    public async Task ExpectAsync(string text)
    {
        for (var i = 0; i < 100 && !Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(Output.Contains(text, StringComparison.Ordinal), $"'{text}' never came; output: {Output}");
    }

    public async Task<ExitStatus> WaitForExitAsync()
    {
        var exit = await Task.Run(() => ChildProcess.Wait(_pid)!.Value.Status);
        // The reader ends by itself once no process holds the terminal any more (read: EIO); closing
        // the master under it made its next read fail with EBADF when output was still coming (CI saw it).
        await _reader.WaitAsync(TimeSpan.FromSeconds(30));
        FileDescriptor.Close(_master);
        return exit;
    }

    public void Dispose()
    {
        if (!_reader.IsCompleted)
        {
            ProcessSignals.Send(_pid, ProcessSignals.SIGKILL);
            ChildProcess.Wait(_pid);
            FileDescriptor.Close(_master);
        }
    }
}
