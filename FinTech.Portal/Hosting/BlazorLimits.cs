namespace FinTech.Portal.Hosting;

/// <summary>
/// Circuit and SignalR limits, chosen for an internal console of a few hundred SREs whose pages
/// are dashboards and forms, not uploads.
/// </summary>
internal static class BlazorLimits
{
    public static IHostApplicationBuilder AddBlazorLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddServerSideBlazor(options =>
        {
            // A laptop lid closed for a coffee keeps its circuit; a tab closed for the night does not.
            options.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMinutes(3);
            // Disconnected circuits hold a dashboard's state each; bound the memory they can pin.
            options.DisconnectedCircuitMaxRetained = 200;
            // A slow client stops receiving renders beyond this instead of growing server memory.
            options.MaxBufferedUnacknowledgedRenderBatches = 10;
            // MudBlazor's interop calls are quick; a browser that hangs longer is treated as gone.
            options.JSInteropDefaultCallTimeout = TimeSpan.FromSeconds(30);
            options.DetailedErrors = builder.Environment.IsDevelopment();
        }).AddHubOptions(options =>
        {
            // The portal's forms are small (an operation request, a search); nothing is uploaded.
            options.MaximumReceiveMessageSize = 32 * 1024;
            options.MaximumParallelInvocationsPerClient = 1;
            options.ClientTimeoutInterval = TimeSpan.FromSeconds(30);
            options.HandshakeTimeout = TimeSpan.FromSeconds(15);
            options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            options.EnableDetailedErrors = false;
        });
        return builder;
    }
}
