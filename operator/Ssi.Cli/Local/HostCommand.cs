using System.Diagnostics;

namespace Ssi.Cli.Local;

/// <summary>Runs a host program (ip, unshare, umount, ...) and fails with its command line and error text.</summary>
internal static class HostCommand
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken = default, bool allowFailure = false)
    {
        var result = await TryRunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !allowFailure)
        {
            throw new HostCommandException(result);
        }

        return result.StandardOutput;
    }

    public static async Task<HostCommandResult> TryRunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException(new HostCommandResult(Describe(info), 127, "", $"cannot run {file}: {e.Message}"));
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new HostCommandResult(Describe(info), process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static string Describe(ProcessStartInfo info) => string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList));
}
