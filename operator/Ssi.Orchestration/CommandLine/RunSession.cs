using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Orchestration.CommandLine;

/// <summary>
/// One `ssi run`: wires this process's terminal (raw mode, window size, SIGWINCH) or stdio to a
/// workload on a node, and returns its exit code.
/// </summary>
public sealed class RunSession(GrpcChannel channel)
{
    private readonly SemaphoreSlim _send = new(1, 1);

    public async Task<int> RunAsync(IReadOnlyList<string> argv, IReadOnlyList<string> env, string? workdir, bool? forceTty, CancellationToken cancellationToken)
    {
        var localTerminal = Pty.IsTerminal(0) && Pty.IsTerminal(1);
        var tty = forceTty ?? localTerminal;
        var size = localTerminal ? Pty.GetWindowSize(0) : null;
        var start = new RunStart
        {
            Tty = tty,
            WorkingDirectory = workdir ?? "",
            Term = Environment.GetEnvironmentVariable("TERM") ?? "xterm",
            Window = new WindowSize { Rows = size?.Rows ?? EnvSize("LINES", 24), Columns = size?.Columns ?? EnvSize("COLUMNS", 80) },
        };
        start.Argv.AddRange(argv);
        start.Env.AddRange(env);

        using var call = new Agent.Contracts.V1.Process.ProcessClient(channel).Run(cancellationToken: cancellationToken);
        await SendAsync(call, new RunRequest { Start = start }, cancellationToken);

        if (tty && localTerminal)
        {
            // .NET re-applies ISIG to a terminal it initialised unless told ^C is input: then ^C
            // reaches the workload's terminal (and its foreground job) instead of ending this client.
            System.Console.TreatControlCAsInput = true;
        }

        using var raw = tty && localTerminal ? RawMode.Enter(0) : null;
        var registrations = new List<PosixSignalRegistration>();
        if (tty && localTerminal)
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
            {
                if (Pty.GetWindowSize(0) is { } now)
                {
                    _ = SendAsync(call, new RunRequest { Resize = new WindowSize { Rows = now.Rows, Columns = now.Columns } }, CancellationToken.None);
                }
            }));
        }
        else
        {
            // Without a terminal, ^C and termination are forwarded to the workload, which decides.
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    _ = SendAsync(call, new RunRequest { Signal = SignalNumber(signal) }, CancellationToken.None);
                }));
            }
        }

        try
        {
            _ = Task.Run(() => PumpStdinAsync(call, cancellationToken), CancellationToken.None);
            using var stdout = System.Console.OpenStandardOutput();
            using var stderr = System.Console.OpenStandardError();
            var exitCode = 255;
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                switch (response.PayloadCase)
                {
                    case RunResponse.PayloadOneofCase.Stdout:
                        await stdout.WriteAsync(response.Stdout.Memory, cancellationToken);
                        await stdout.FlushAsync(cancellationToken);
                        break;
                    case RunResponse.PayloadOneofCase.Stderr:
                        await stderr.WriteAsync(response.Stderr.Memory, cancellationToken);
                        await stderr.FlushAsync(cancellationToken);
                        break;
                    case RunResponse.PayloadOneofCase.Exited:
                        exitCode = response.Exited.ExitCode;
                        break;
                }
            }

            return exitCode;
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Starts a detached workload and returns what the agent said about it.</summary>
    public async Task<RunStarted> StartDetachedAsync(IReadOnlyList<string> argv, IReadOnlyList<string> env, string? workdir, CancellationToken cancellationToken)
    {
        var start = new RunStart { Detach = true, WorkingDirectory = workdir ?? "" };
        start.Argv.AddRange(argv);
        start.Env.AddRange(env);
        using var call = new Agent.Contracts.V1.Process.ProcessClient(channel).Run(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new RunRequest { Start = start }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseStream.MoveNext(cancellationToken) && call.ResponseStream.Current.PayloadCase == RunResponse.PayloadOneofCase.Started
            ? call.ResponseStream.Current.Started
            : throw new RpcException(new Status(StatusCode.Internal, "the agent did not report the start"));
    }

    private async Task PumpStdinAsync(AsyncDuplexStreamingCall<RunRequest, RunResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            // fd 0 itself: .NET's console stream on a terminal edits lines (echo, ^D as end of
            // input); the workload's terminal must get every byte as typed.
            using var stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1, isAsync: false);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var n = await stdin.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    await SendAsync(call, new RunRequest { StdinEof = true }, cancellationToken);
                    return;
                }

                await SendAsync(call, new RunRequest { Stdin = ByteString.CopyFrom(buffer, 0, n) }, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The workload ended (the request stream is closed) or our input is gone.
        }
    }

    private async Task SendAsync(AsyncDuplexStreamingCall<RunRequest, RunResponse> call, RunRequest request, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            // The call is over.
        }
        finally
        {
            _send.Release();
        }
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    private static uint EnvSize(string name, uint fallback) =>
        uint.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
