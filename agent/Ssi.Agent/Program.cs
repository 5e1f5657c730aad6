using Ssi.Agent.Hosting;

var app = AgentHost.Build(args);
await app.RunAsync();
