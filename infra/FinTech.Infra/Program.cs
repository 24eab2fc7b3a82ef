using Amazon.CDK;
using FinTech.Infra;

// Synthesizes every stack offline: `dotnet run --project infra/FinTech.Infra` (writes infra/cdk.out) or `cdk synth`.
// Node.js 20 is older than this CDK version tests against; the jsii runtime works on it.
System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1");

var settings = InfraSettings.Load();
var app = new App(new AppProps { Outdir = settings.Outdir, Context = settings.Context });
var stacks = PlatformStacks.Build(app, settings.Platform, PortalAwsActions.Load());
var assembly = app.Synth();
Console.Error.WriteLine($"Synthesized {stacks.All.Count()} stacks into {assembly.Directory}");
