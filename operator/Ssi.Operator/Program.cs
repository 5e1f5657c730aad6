using Ssi.Operator.Hosting;

var app = OperatorHost.Build(args);
await app.RunAsync();
