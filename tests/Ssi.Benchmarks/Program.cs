using Ssi.Benchmarks.Devices;
using Ssi.Benchmarks.Grpc;
using Ssi.Benchmarks.Link;
using Ssi.Benchmarks.Operator;
using Ssi.Benchmarks.Processes;

var bench = args.FirstOrDefault() ?? "help";
switch (bench)
{
    case "processes":
        return await ProcessBench.RunAsync(args.Skip(1).ToArray());
    case "devices":
        return await DeviceBench.RunAsync(args.Skip(1).ToArray());
    case "grpc":
        return await GrpcFloorBench.RunAsync(args.Skip(1).ToArray());
    case "link-transport":
        return await LinkTransportBench.RunAsync(args.Skip(1).ToArray());
    case "operator":
        return await OperatorBench.RunAsync(args.Skip(1).ToArray());
    case OperatorBenchHost.Command:
        return await OperatorBenchHost.RunAsync(args.Skip(1).ToArray());
    default:
        Console.WriteLine("usage: dotnet run -c Release --project tests/Ssi.Benchmarks -- processes [runs] | grpc [calls] | link-transport [round trips] | devices [calls] | operator [clusters]");
        return bench == "help" ? 0 : 2;
}
