using System.Runtime.InteropServices;
using System.Text;

namespace Ssi.Agent.Native.Spawn;

/// <summary>
/// Starts programs with posix_spawn(3): safe from a multi-threaded runtime (no managed code runs
/// between fork and exec), with exact control of descriptors, session, process group and
/// terminal. Descriptors other than those mapped are closed in the child. Every signal is reset to its default in the child: the .NET runtime ignores SIGPIPE,
/// and a workload must not inherit that.
/// </summary>
public static unsafe class Spawner
{
    private const int O_RDWR = 2;
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;

    /// <summary>Starts the program; returns its PID. Throws <see cref="NativeException"/> when it cannot start (e.g. ENOENT).</summary>
    public static int Start(SpawnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Argv.Count == 0)
        {
            throw new ArgumentException("argv is empty", nameof(options));
        }

        var strings = new List<nint>();
        var actions = NativeMemory.AllocZeroed(SpawnInterop.FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(SpawnInterop.AttributesSize);
        var signals = NativeMemory.AllocZeroed(SpawnInterop.SignalSetSize);
        byte** argv = null;
        byte** envp = null;
        try
        {
            Check(SpawnInterop.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(SpawnInterop.posix_spawnattr_init(attributes), "posix_spawnattr_init");

            short flags = SpawnInterop.POSIX_SPAWN_SETSIGDEF | SpawnInterop.POSIX_SPAWN_SETSIGMASK;
            if (options.NewSession)
            {
                flags |= SpawnInterop.POSIX_SPAWN_SETSID;
            }
            else if (options.NewProcessGroup)
            {
                flags |= SpawnInterop.POSIX_SPAWN_SETPGROUP;
                Check(SpawnInterop.posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup");
            }

            Check(SpawnInterop.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");
            SpawnInterop.sigemptyset(signals);
            Check(SpawnInterop.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            SpawnInterop.sigfillset(signals);
            SpawnInterop.sigdelset(signals, SIGKILL);
            SpawnInterop.sigdelset(signals, SIGSTOP);
            Check(SpawnInterop.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");

            foreach (var (source, target) in options.Descriptors)
            {
                Check(SpawnInterop.posix_spawn_file_actions_adddup2(actions, source, target), "posix_spawn_file_actions_adddup2");
            }

            if (options.ControllingTerminal is { } terminal)
            {
                // Opened after setsid by a session leader without O_NOCTTY: it becomes the controlling terminal.
                Check(SpawnInterop.posix_spawn_file_actions_addopen(actions, 0, Utf8(terminal, strings), O_RDWR, 0), "posix_spawn_file_actions_addopen");
                Check(SpawnInterop.posix_spawn_file_actions_adddup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
                Check(SpawnInterop.posix_spawn_file_actions_adddup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
            }

            // Nothing else leaks in: a descriptor inherited from whoever started the agent (opened in
            // another mount namespace, say) would make the workload impossible to checkpoint.
            var highest = options.Descriptors.Select(d => d.Target).Append(2).Max();
            Check(SpawnInterop.posix_spawn_file_actions_addclosefrom_np(actions, highest + 1), "posix_spawn_file_actions_addclosefrom_np");

            if (options.WorkingDirectory is { } directory)
            {
                Check(SpawnInterop.posix_spawn_file_actions_addchdir_np(actions, Utf8(directory, strings)), "posix_spawn_file_actions_addchdir_np");
            }

            argv = Vector(options.Argv, strings);
            envp = Vector(options.Environment ?? CurrentEnvironment(), strings);
            var error = SpawnInterop.posix_spawnp(out var pid, argv[0], actions, attributes, argv, envp);
            if (error != 0)
            {
                throw new NativeException($"posix_spawnp {options.Argv[0]}", error);
            }

            return pid;
        }
        finally
        {
            SpawnInterop.posix_spawn_file_actions_destroy(actions);
            SpawnInterop.posix_spawnattr_destroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            NativeMemory.Free(argv);
            NativeMemory.Free(envp);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new NativeException(call, error);
        }
    }

    private static byte* Utf8(string value, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)count + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, count));
        buffer[count] = 0;
        owned.Add((nint)buffer);
        return buffer;
    }

    private static byte** Vector(IReadOnlyList<string> values, List<nint> owned)
    {
        var vector = (byte**)NativeMemory.Alloc((nuint)(values.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < values.Count; i++)
        {
            vector[i] = Utf8(values[i], owned);
        }

        vector[values.Count] = null;
        return vector;
    }

    private static List<string> CurrentEnvironment()
    {
        var result = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            result.Add($"{entry.Key}={entry.Value}");
        }

        return result;
    }
}
