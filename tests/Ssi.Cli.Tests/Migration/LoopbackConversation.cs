using System.Globalization;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// A workload of two processes talking TCP over loopback: the parent listens on 127.0.0.1 and
/// answers every number n with n + 1; its child sends even numbers and appends each answer it
/// checked to /ssi/MARKER.log. A broken, reordered or duplicated conversation ends the child
/// (its assertion fails), so the log is 1, 3, 5, ... for as long as the conversation holds.
/// </summary>
internal static class LoopbackConversation
{
    public static string[] Command(string marker) =>
    [
        "python3", "-c", string.Join('\n',
            "import os, socket, time",
            $"log = '/ssi/{marker}.log'",
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)",
            "if os.fork() == 0:",
            "  c = socket.create_connection(s.getsockname()); f = c.makefile('rb'); n = 0",
            "  while True:",
            "    c.sendall(b'%d\\n' % n); answer = int(f.readline()); assert answer == n + 1, (n, answer)",
            "    open(log, 'a').write('%d\\n' % answer); n += 2; time.sleep(0.02)",
            "a, _ = s.accept(); f = a.makefile('rb')",
            "for line in f: a.sendall(b'%d\\n' % (int(line) + 1))"),
    ];

    /// <summary>The answers logged so far (the log on the home's backing directory).</summary>
    public static IReadOnlyList<long> Answers(string cluster, string marker)
    {
        var path = Path.Combine($"/var/lib/ssi-operator/{cluster}/cfs", $"{marker}.log");
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    /// <summary>Waits until the conversation has gone <paramref name="more"/> answers beyond <paramref name="than"/> (20 s at most); returns the count.</summary>
    public static async Task<int> ProgressAsync(string cluster, string marker, int than, int more = 10)
    {
        for (var i = 0; i < 200 && Answers(cluster, marker).Count < than + more; i++)
        {
            await Task.Delay(100);
        }

        var count = Answers(cluster, marker).Count;
        Assert.True(count >= than + more, $"the conversation stopped at {count} answers");
        return count;
    }

    /// <summary>Every answer in order, none missing, none twice.</summary>
    public static void AssertUnbroken(string cluster, string marker)
    {
        var answers = Answers(cluster, marker);
        Assert.Equal(Enumerable.Range(0, answers.Count).Select(i => 2L * i + 1), answers);
    }
}
