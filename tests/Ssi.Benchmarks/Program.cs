using Ssi.Benchmarks.Processes;

var bench = args.FirstOrDefault() ?? "help";
switch (bench)
{
    case "processes":
        return await ProcessBench.RunAsync(args.Skip(1).ToArray());
    default:
        Console.WriteLine("usage: dotnet run -c Release --project tests/Ssi.Benchmarks -- processes [runs]");
        return bench == "help" ? 0 : 2;
}
