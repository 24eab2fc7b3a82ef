using System.Collections.Concurrent;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

/// <summary>
/// Builds the whole CDK app (organization + every environment of infra/cdk.json) once for the test run and
/// synthesizes it once: synthesis is the slow part (a Node.js jsii process), so every stack test class shares it.
/// </summary>
public sealed class SynthesizedPlatform : IDisposable
{
    private readonly string _outdir = Path.Combine(Path.GetTempPath(), "fintech-infra-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<string, Template> _templates = new();

    public InfraSettings Settings { get; }
    public PortalAwsActions Actions { get; }
    public PlatformStacks Stacks { get; }
    public string AssemblyDirectory { get; }

    public SynthesizedPlatform()
    {
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1");
        Settings = InfraSettings.FromCdkJson(Path.Combine(AppContext.BaseDirectory, "cdk.json"));
        Actions = PortalAwsActions.Load();
        var app = new App(new AppProps { Outdir = _outdir, Context = Settings.Context });
        Stacks = PlatformStacks.Build(app, Settings.Platform, Actions);
        AssemblyDirectory = app.Synth().Directory;
    }

    public EnvironmentStacks Env(string key) => Stacks.Environments[key];

    /// <summary>The assertions view of a stack (reads the already synthesized template).</summary>
    public Template Template(Stack stack) => _templates.GetOrAdd(stack.StackName, _ => Amazon.CDK.Assertions.Template.FromStack(stack));

    /// <summary>The raw template JSON of a stack, as written to the cloud assembly.</summary>
    public string TemplateJson(Stack stack) => File.ReadAllText(Path.Combine(AssemblyDirectory, stack.TemplateFile));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outdir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SynthesizedPlatformCollection : ICollectionFixture<SynthesizedPlatform>
{
    public const string Name = "Synthesized platform";
}
