using Ssi.Shim;

if (ShimArguments.Parse(args) is not { } arguments)
{
    Console.Error.WriteLine("usage: ssi-shim [--report SOCKET] [--own-proc [--hide PATH]...] [--] PROGRAM [ARG...]");
    return 2;
}

return WorkloadInit.Run(arguments);
