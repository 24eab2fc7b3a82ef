using System.Net;
using System.Text.RegularExpressions;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Identity;

/// <summary>One way to get the current user: <see cref="PortalCaller"/>, for circuits and for endpoints.</summary>
public sealed partial class PortalCallerTests : IAsyncLifetime
{
    private PortalComponentContext _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalComponentContext.CreateAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task The_caller_of_a_circuit_is_its_signed_in_user_with_the_roles_the_services_check()
    {
        _portal.Authorization.SwitchTo(SandboxPersonas.Avery);
        var caller = _portal.Bunit.Services.GetRequiredService<PortalCaller>();

        Assert.Equal("sandbox:avery", PortalUser.IdOf(await caller.UserAsync()));
        Assert.Equal([PortalRoles.Approver], await caller.RolesAsync());
        Assert.Equal(new AuditActor("sandbox:avery", "Avery Approver", [PortalRoles.Approver], null), await caller.ActorAsync());
        Assert.Null(caller.SessionEndReason);
    }

    [Fact]
    public async Task A_session_that_ends_mid_circuit_leaves_the_caller_acting_as_nobody()
    {
        _portal.Authorization.SwitchTo(SandboxPersonas.Olivia);
        var caller = _portal.Bunit.Services.GetRequiredService<PortalCaller>();
        Assert.Equal("sandbox:olivia", PortalUser.IdOf(await caller.UserAsync()));

        _portal.Authorization.SetNotAuthorized();

        Assert.False(PortalUser.IsSignedIn(await caller.UserAsync()));
        Assert.Empty(await caller.RolesAsync());
        Assert.Equal("anonymous", (await caller.ActorAsync()).UserId);
    }

    [Fact]
    public async Task An_endpoints_caller_is_its_requests_user_and_client_address()
    {
        var http = new DefaultHttpContext
        {
            User = PortalUser.Create("Sandbox", "aubrey", "Aubrey Auditor", [PortalRoles.Auditor], DateTimeOffset.UnixEpoch),
        };
        http.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");

        var caller = PortalCaller.ForRequest(http);

        Assert.Same(http.User, await caller.UserAsync());
        Assert.Equal("203.0.113.7", caller.SourceIp);
        Assert.Equal(new AuditActor("aubrey", "Aubrey Auditor", [PortalRoles.Auditor], "203.0.113.7"), await caller.ActorAsync());
    }

    // The authentication state is read in Identity's own plumbing only: the provider, its
    // registration, and the caller. Everything else asks PortalCaller.
    [GeneratedRegex(@"AuthenticationStateProvider|Task<AuthenticationState>|GetAuthenticationStateAsync")]
    private static partial Regex ReadsAuthenticationState();

    [Fact]
    public void Only_the_caller_reads_the_authentication_state()
    {
        string[] plumbing = ["Identity/PortalCaller.cs", "Identity/SessionLifetime.cs", "Identity/IdentitySetup.cs"];
        var files = PortalSources.Files(".cs", ".razor").Except(plumbing);

        Assert.Empty(PortalSources.LinesMatching(files, ReadsAuthenticationState()));
    }
}
