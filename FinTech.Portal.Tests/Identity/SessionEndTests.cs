using System.Net;
using System.Net.Http.Headers;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// Issue 11, defects 1 and 2: a session ends on the server, not only in the browser, and only the
/// portal's own Sign out button ends it.
/// </summary>
public class SessionEndTests
{
    [Fact]
    public async Task A_copy_of_the_cookie_replayed_after_sign_out_is_sent_to_sign_in()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        var signIn = await PersonaSignIn.AsAsync(client, "olivia");
        var copied = AuthCookieOf(signIn);

        var signOut = await PersonaSignIn.SignOutAsync(client, "/account");
        var replayed = await SendWithCookieAsync(app, "/account", copied);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Equal("/account/sign-in", replayed.Headers.Location!.AbsolutePath);
        var session = await app.Services.GetRequiredService<PortalSessions>().FindAsync(SessionIdOf(app), CancellationToken.None);
        Assert.Equal(SessionEndReasons.SignedOut, session!.EndReason);
    }

    [Fact]
    public async Task A_signed_out_session_can_no_longer_turn_a_fault_knob_through_the_service()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");
        // The principal an open page of that session still holds (the circuit keeps it in memory).
        var sessions = app.Services.GetRequiredService<PortalSessions>();
        var user = OpenPageUserOf(app, SandboxPersonas.Olivia, PortalRoles.Operator);
        var sandbox = app.Services.GetRequiredService<FinTech.Portal.Platform.EnvironmentCatalog>().Get("sandbox");
        var knobs = app.Services.GetRequiredService<FinTech.Portal.Sandbox.SandboxFaultKnobs>();

        await PersonaSignIn.SignOutAsync(client, "/account");
        var refused = await Assert.ThrowsAsync<PortalAccessDeniedException>(() =>
            knobs.SetFaultAsync(user, "10.0.0.1", sandbox, FinTech.Portal.Sandbox.SandboxFault.ErrorBurst, on: true, CancellationToken.None));

        Assert.Equal("You signed out of this session. Sign in again to continue.", refused.Message);
        var events = await app.IdentityEventsAsync();
        Assert.Equal([AuditEventTypes.SignedIn, AuditEventTypes.SignedOut, AuditEventTypes.AccessDenied], events.Select(e => e.EventType));
        var trail = await app.Services.GetRequiredService<AuditStore>().SearchAsync(AuditFilter.None, null, 100, CancellationToken.None);
        Assert.DoesNotContain(trail.Events, e => e.EventType == AuditEventTypes.SandboxFaultChanged);
        Assert.True((await sessions.FindAsync(SessionIdOf(app), CancellationToken.None))!.EndedAt is not null);
    }

    [Fact]
    public async Task A_sign_out_without_the_antiforgery_token_is_refused_recorded_and_the_session_goes_on()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");

        // What a page of another site does: an auto-submitted form, with the cookie but without the token.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/account/sign-out") { Content = new FormUrlEncodedContent([]) };
        forged.Headers.Add("Origin", "https://evil.example");
        var response = await client.SendAsync(forged);
        using var textPlain = new HttpRequestMessage(HttpMethod.Post, "/account/sign-out") { Content = new StringContent("x=1", MediaTypeHeaderValue.Parse("text/plain")) };
        var asTextPlain = await client.SendAsync(textPlain);
        var after = await client.GetAsync("/account");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("did not come from the portal's own Sign out button", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie");
        Assert.Equal(HttpStatusCode.BadRequest, asTextPlain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var refused = (await app.IdentityEventsAsync()).Where(e => e.EventType == AuditEventTypes.SignOutRefused).ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, e =>
        {
            Assert.Equal(AuditOutcome.Denied, e.Outcome);
            Assert.Equal("sandbox:olivia", e.Actor.UserId);
            Assert.Equal("/account/sign-out", e.Target);
        });
        Assert.Equal("https://evil.example", refused[0].Parameters["origin"]);
        Assert.Equal("none", refused[1].Parameters["origin"]);
    }

    [Fact]
    public async Task A_sign_out_by_an_anonymous_visitor_without_a_token_is_refused_and_recorded()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.PostAsync("/account/sign-out", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var refused = Assert.Single(await app.IdentityEventsAsync());
        Assert.Equal(AuditEventTypes.SignOutRefused, refused.EventType);
        Assert.Equal("anonymous", refused.Actor.UserId);
    }

    [Fact]
    public async Task After_the_idle_time_the_session_is_ended_for_its_open_pages_and_the_end_is_recorded_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        await using var app = new PortalAppFactory(
            new Dictionary<string, string?> { ["Identity:IdleTimeout"] = "00:30:00" },
            services: services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");
        var openPage = OpenPageUserOf(app, SandboxPersonas.Olivia, PortalRoles.Operator);
        var authorization = app.Services.GetRequiredService<PortalAuthorization>();

        time.Advance(TimeSpan.FromMinutes(20));
        var active = await client.GetAsync("/account");
        await authorization.EnsureCanViewDashboardsAsync(openPage);
        time.Advance(TimeSpan.FromMinutes(31));
        var first = await Assert.ThrowsAsync<PortalAccessDeniedException>(() => authorization.EnsureCanViewDashboardsAsync(openPage));
        var second = await Assert.ThrowsAsync<PortalAccessDeniedException>(() => authorization.EnsureCanViewDashboardsAsync(openPage));
        var request = await client.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.Equal("Your session ended after a period without activity. Sign in again to continue.", first.Message);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(HttpStatusCode.Redirect, request.StatusCode);
        var session = await app.Services.GetRequiredService<PortalSessions>().FindAsync(SessionIdOf(app), CancellationToken.None);
        Assert.Equal(SessionEndReasons.Idle, session!.EndReason);
        var ended = Assert.Single(await app.IdentityEventsAsync(), e => e.EventType == AuditEventTypes.SessionEnded);
        Assert.Equal("sandbox:olivia", ended.Actor.UserId);
        Assert.Equal(SessionEndReasons.Idle, ended.Parameters["reason"]);
    }

    [Fact]
    public async Task An_Admin_ends_a_persons_sessions_everywhere_and_the_trail_says_who_did_it()
    {
        await using var app = new PortalAppFactory();
        var laptop = app.CreatePortalClient();
        var phone = app.CreatePortalClient();
        var admin = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(laptop, "olivia");
        await PersonaSignIn.AsAsync(phone, "olivia");
        await PersonaSignIn.AsAsync(admin, "ada");
        var adminUser = OpenPageUserOf(app, SandboxPersonas.Ada, PortalRoles.Admin);
        var revocation = app.Services.GetRequiredService<SessionRevocation>();

        var before = await revocation.SignedInAsync(adminUser, "10.0.0.9", CancellationToken.None);
        var (ended, warning) = await revocation.EndSessionsOfAsync(adminUser, "10.0.0.9", SandboxPersonas.Olivia.UserId, CancellationToken.None);
        var after = await revocation.SignedInAsync(adminUser, "10.0.0.9", CancellationToken.None);

        Assert.Equal(2, before.Single(p => p.UserId == SandboxPersonas.Olivia.UserId).Sessions);
        Assert.Equal(2, ended);
        Assert.Null(warning);
        Assert.DoesNotContain(after, p => p.UserId == SandboxPersonas.Olivia.UserId);
        Assert.Equal(HttpStatusCode.Redirect, (await laptop.GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await phone.GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/account")).StatusCode);
        var revoked = Assert.Single(await app.IdentityEventsAsync(), e => e.EventType == AuditEventTypes.SessionsRevoked);
        Assert.Equal("sandbox:ada", revoked.Actor.UserId);
        Assert.Equal("10.0.0.9", revoked.Actor.SourceIp);
        Assert.Equal("user/sandbox:olivia", revoked.Target);
        Assert.Equal("2", revoked.Parameters["sessionsEnded"]);
    }

    [Fact]
    public async Task Only_an_Admin_may_end_someone_elses_sessions()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");
        var auditor = PortalUser.Create("Sandbox", SandboxPersonas.Aubrey.UserId, SandboxPersonas.Aubrey.DisplayName, [PortalRoles.Auditor], DateTimeOffset.UtcNow);

        var refused = await Assert.ThrowsAsync<PortalAccessDeniedException>(() =>
            app.Services.GetRequiredService<SessionRevocation>().EndSessionsOfAsync(auditor, null, SandboxPersonas.Olivia.UserId, CancellationToken.None));

        Assert.Equal("Ending other people's sessions needs the Admin role; you have Auditor.", refused.Message);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task A_missing_token_is_logged_as_information_without_a_stack_trace()
    {
        var logs = new ListLogger();
        await using var app = new PortalAppFactory(services: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        var client = app.CreatePortalClient();

        var signIn = await client.PostAsync("/account/persona-sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["persona"] = "ada" }));
        var signOut = await client.PostAsync("/account/sign-out", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("antiforgery", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal(2, logs.Entries.Count(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Message.StartsWith("Refused /account/", StringComparison.Ordinal) && e.Exception is null));
    }

    internal static string? AuthCookieOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith("__Host-portal-auth=", StringComparison.Ordinal)).Select(c => c.Split(';')[0]).FirstOrDefault()
            : null;

    internal static async Task<HttpResponseMessage> SendWithCookieAsync(PortalAppFactory app, string path, string? cookie)
    {
        var other = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = PortalAppFactory.BaseAddress,
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await other.SendAsync(request);
    }

    /// <summary>The principal an open page (a circuit) of the newest session holds in memory.</summary>
    internal static System.Security.Claims.ClaimsPrincipal OpenPageUserOf(PortalAppFactory app, SandboxPersona persona, string role) =>
        PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [role], app.Services.GetRequiredService<TimeProvider>().GetUtcNow(),
            [new System.Security.Claims.Claim(PortalSessions.SessionIdClaim, SessionIdOf(app))]);

    /// <summary>The one session the test signed in (the newest row).</summary>
    internal static string SessionIdOf(PortalAppFactory app)
    {
        var database = app.Services.GetRequiredService<FinTech.Portal.Database.PortalDatabase>();
        using var connection = database.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM identity_sessions ORDER BY started_at DESC LIMIT 1";
        return (string)command.ExecuteScalar()!;
    }
}

/// <summary>Keeps what the portal logs, for tests about logging.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILoggerProvider
{
    public List<(Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = [];

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ListLogger provider, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (provider.Entries)
            {
                provider.Entries.Add((logLevel, category, formatter(state, exception), exception));
            }
        }
    }
}
