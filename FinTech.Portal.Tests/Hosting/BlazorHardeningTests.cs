using System.Net;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using FinTech.Portal.Tests.Identity;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Hosting;

public class BlazorHardeningTests
{
    [Fact]
    public async Task The_Blazor_hub_refuses_a_connection_opened_by_another_origins_page()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");

        var foreign = await NegotiateAsync(client, "https://evil.example");
        var own = await NegotiateAsync(client, "https://localhost");

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task The_Blazor_hub_is_not_open_to_anonymous_visitors()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await NegotiateAsync(client, "https://localhost");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Circuit_and_hub_limits_are_the_chosen_ones()
    {
        await using var app = new PortalAppFactory();
        app.CreatePortalClient();

        var circuit = app.Services.GetRequiredService<IOptions<CircuitOptions>>().Value;
        // Blazor's hub class is internal: its options are looked up by type name.
        var hubType = typeof(CircuitOptions).Assembly.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub", throwOnError: true)!;
        var optionsType = typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(hubType));
        var hubOptions = (HubOptions)optionsType.GetProperty("Value")!.GetValue(app.Services.GetRequiredService(optionsType))!;

        Assert.Equal(TimeSpan.FromMinutes(3), circuit.DisconnectedCircuitRetentionPeriod);
        Assert.Equal(200, circuit.DisconnectedCircuitMaxRetained);
        Assert.Equal(10, circuit.MaxBufferedUnacknowledgedRenderBatches);
        Assert.Equal(TimeSpan.FromSeconds(30), circuit.JSInteropDefaultCallTimeout);
        Assert.False(circuit.DetailedErrors);
        Assert.Equal(32 * 1024, hubOptions.MaximumReceiveMessageSize);
        Assert.Equal(1, hubOptions.MaximumParallelInvocationsPerClient);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        return await client.SendAsync(request);
    }
}
