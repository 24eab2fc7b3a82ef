using FinTech.Portal;
using FinTech.Portal.WriteProbe;

// The canary task's container health check (infra): has the canary published a second lately?
if (WriteProbeHealthCheck.IsRequested(args))
{
    Environment.ExitCode = WriteProbeHealthCheck.Run(args, Console.Out, TimeProvider.System);
    return;
}

// infra's write-probe service runs this image as the canary alone (no pages, no portal database).
if (WriteProbeSetup.IsCanaryOnly(args))
{
    WriteProbeSetup.BuildCanaryOnly(args).Run();
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddPortal();

var app = builder.Build();
app.MapPortal();
app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
