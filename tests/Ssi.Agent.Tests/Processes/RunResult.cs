using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Agent.Tests.Processes;

/// <summary>What a Run call produced.</summary>
internal sealed record RunResult(long ClusterPid, string Stdout, string Stderr, int ExitCode, int Signal = 0)
{
    public static async Task<RunResult> RunAsync(Contracts.V1.Process.ProcessClient client, string[] argv, string? stdin = null, bool tty = false, Func<long, Task>? whileRunning = null)
    {
        using var call = client.Run();
        var start = new RunStart { Tty = tty, Window = new WindowSize { Rows = 33, Columns = 111 } };
        start.Argv.AddRange(argv);
        await call.RequestStream.WriteAsync(new RunRequest { Start = start });
        if (stdin is not null)
        {
            await call.RequestStream.WriteAsync(new RunRequest { Stdin = ByteString.CopyFromUtf8(stdin) });
        }

        await call.RequestStream.WriteAsync(new RunRequest { StdinEof = true });
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        long cpid = 0;
        var exit = -1;
        var signal = 0;
        Task? side = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            switch (response.PayloadCase)
            {
                case RunResponse.PayloadOneofCase.Started:
                    cpid = response.Started.ClusterPid;
                    side = whileRunning?.Invoke(cpid);
                    break;
                case RunResponse.PayloadOneofCase.Stdout:
                    stdout.Append(response.Stdout.ToStringUtf8());
                    break;
                case RunResponse.PayloadOneofCase.Stderr:
                    stderr.Append(response.Stderr.ToStringUtf8());
                    break;
                case RunResponse.PayloadOneofCase.Exited:
                    exit = response.Exited.ExitCode;
                    signal = response.Exited.Signal;
                    break;
            }
        }

        if (side is not null)
        {
            await side;
        }

        return new RunResult(cpid, stdout.ToString(), stderr.ToString(), exit, signal);
    }
}
