using System.Globalization;

namespace Ssi.Agent.Native.Processes;

/// <summary>Process trees from /proc/PID/task/TID/children.</summary>
public static class ProcessTree
{
    /// <summary>Direct children of a process (all of its threads' children).</summary>
    public static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>The process and all of its descendants, parents before children.</summary>
    public static IReadOnlyList<int> WithDescendants(int root)
    {
        var result = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            result.Add(pid);
            foreach (var child in Children(pid))
            {
                pending.Enqueue(child);
            }
        }

        return result;
    }
}
