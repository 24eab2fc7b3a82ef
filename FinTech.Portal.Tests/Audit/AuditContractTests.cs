using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Configuration;

namespace FinTech.Portal.Tests.Audit;

public sealed class AuditContractTests
{
    [Theory]
    [InlineData("password")]
    [InlineData("dbPassword")]
    [InlineData("client_secret")]
    [InlineData("ClientSecret")]
    [InlineData("accessToken")]
    [InlineData("api-key")]
    [InlineData("ApiKey")]
    [InlineData("AccessKeyId")]
    [InlineData("privateKey")]
    [InlineData("key")]
    [InlineData("ConnectionString")]
    [InlineData("credentials")]
    public void Parameter_names_that_look_like_secrets_are_refused(string name)
    {
        var entry = new AuditEntry("sandbox.fault-changed", AuditActor.System, AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { [name] = "hunter2" });

        var error = Assert.Throws<ArgumentException>(() => AuditTrail.Validate(entry));

        Assert.Contains($"'{name}' looks like a secret", error.Message);
    }

    [Theory]
    [InlineData("environmentKey")]
    [InlineData("dashboard")]
    [InlineData("keyboardLayout")]
    [InlineData("lagSeconds")]
    public void Identifiers_that_merely_contain_key_like_words_are_allowed(string name)
    {
        var entry = new AuditEntry("sandbox.fault-changed", AuditActor.System, AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { [name] = "value" });

        var error = Record.Exception(() => AuditTrail.Validate(entry));

        Assert.Null(error);
    }

    [Fact]
    public void A_name_that_says_secret_is_refused_even_for_metadata_such_as_an_arn()
    {
        // Callers name secret metadata without the word (rotatedArn, versionStage), so a reviewer never has to wonder.
        var entry = new AuditEntry("operations.rotation-requested", AuditActor.System, AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { ["secretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db" });

        Assert.Throws<ArgumentException>(() => AuditTrail.Validate(entry));
    }

    [Fact]
    public void A_secret_looking_parameter_may_carry_the_redaction_marker()
    {
        var entry = new AuditEntry("portal.configuration", AuditActor.System, AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { ["Database:ConnectionString"] = AuditTrail.Redacted });

        var error = Record.Exception(() => AuditTrail.Validate(entry));

        Assert.Null(error);
    }

    [Theory]
    [InlineData("Portal.Started")]
    [InlineData("portal")]
    [InlineData("portal.")]
    [InlineData("portal_started")]
    [InlineData("")]
    public void Event_types_must_be_dot_and_kebab_case(string eventType)
    {
        var error = Assert.Throws<ArgumentException>(() => AuditTrail.Validate(new AuditEntry(eventType, AuditActor.System, AuditOutcome.Succeeded)));

        Assert.Contains("dot + kebab case", error.Message);
    }

    [Fact]
    public async Task A_refused_entry_writes_nothing()
    {
        await using var database = new SqliteTestDatabase();
        using var kit = new AuditTestKit(database.Database);
        await kit.Migrations.ApplyAsync(CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() => kit.Trail.RecordAsync(new AuditEntry("sandbox.fault-changed", AuditActor.System, AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { ["token"] = "abc" }), CancellationToken.None));

        Assert.Null(await kit.Store.GetHeadAsync(CancellationToken.None));
    }

    [Fact]
    public void The_actor_of_a_principal_is_its_object_id_name_and_roles()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("oid", "0f1e"), new Claim(ClaimTypes.NameIdentifier, "nameid"), new Claim("name", "Dana Admin"),
             new Claim(ClaimTypes.Role, "Admin"), new Claim(ClaimTypes.Role, "Auditor")], "test"));

        var actor = AuditActor.FromPrincipal(user, "192.0.2.10");

        Assert.Equal(new AuditActor("0f1e", "Dana Admin", ["Admin", "Auditor"], "192.0.2.10"), actor);
    }

    [Fact]
    public void Without_an_object_id_the_actor_falls_back_to_the_name_identifier_then_sub()
    {
        var byNameIdentifier = AuditActor.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "nid"), new Claim("sub", "s")], "t")), null);
        var bySub = AuditActor.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s")], "t")), null);
        var anonymous = AuditActor.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity()), null);

        Assert.Equal("nid", byNameIdentifier.UserId);
        Assert.Equal("s", bySub.UserId);
        Assert.Equal("anonymous", anonymous.UserId);
    }

    [Fact]
    public void Canonical_content_has_sorted_keys_utc_milliseconds_and_explicit_nulls()
    {
        var entry = new AuditEntry("sandbox.fault-changed", new AuditActor("u1", "Ann", ["Operator", "Admin"], null), AuditOutcome.Succeeded,
            Parameters: new Dictionary<string, string?> { ["zeta"] = "1", ["alpha"] = "2" });

        var content = AuditCanonical.Content(entry, new DateTimeOffset(2026, 11, 24, 4, 5, 6, 789, TimeSpan.FromHours(2)), "task-1");

        Assert.Equal(
            """{"actor":{"displayName":"Ann","roles":["Admin","Operator"],"sourceIp":null,"userId":"u1"},"environment":null,"eventType":"sandbox.fault-changed","instance":"task-1","occurredAt":"2026-11-24T02:05:06.789Z","outcome":"Succeeded","parameters":{"alpha":"2","zeta":"1"},"reason":null,"target":null}""",
            content);
    }

    [Fact]
    public void The_hash_covers_the_previous_hash_the_sequence_and_the_content()
    {
        var hash = AuditCanonical.Hash(AuditCanonical.GenesisHash, 1, "{}");

        Assert.NotEqual(hash, AuditCanonical.Hash(AuditCanonical.GenesisHash, 2, "{}"));
        Assert.NotEqual(hash, AuditCanonical.Hash(new string('1', 64), 1, "{}"));
        Assert.NotEqual(hash, AuditCanonical.Hash(AuditCanonical.GenesisHash, 1, "{ }"));
        // sha256(32 zero bytes || 00 00 00 00 00 00 00 01 || "{}")
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. new byte[32], 0, 0, 0, 0, 0, 0, 0, 1, (byte)'{', (byte)'}']));
        Assert.Equal(expected, hash);
    }

    [Fact]
    public void The_configuration_recorded_at_start_has_secret_looking_keys_redacted_and_leaves_the_process_environment_out()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:ConnectionString"] = "Host=db;Password=hunter2",
            ["Identity:ClientSecret"] = "s3cr3t",
            ["Platform:Environments:prod:IsProduction"] = "true",
            ["PATH"] = "/usr/bin",
        }).Build();

        var recorded = AuditLifecycle.ConfigurationInForce(configuration);

        Assert.Equal("PostgreSql", recorded["Database:Provider"]);
        Assert.Equal(AuditTrail.Redacted, recorded["Database:ConnectionString"]);
        Assert.Equal(AuditTrail.Redacted, recorded["Identity:ClientSecret"]);
        Assert.Equal("true", recorded["Platform:Environments:prod:IsProduction"]);
        Assert.False(recorded.ContainsKey("PATH"));
        Assert.DoesNotContain(recorded.Values, v => v is not null && v.Contains("hunter2", StringComparison.Ordinal));
        Assert.Null(Record.Exception(() => AuditTrail.Validate(new AuditEntry(AuditEventTypes.PortalConfiguration, AuditActor.System, AuditOutcome.Succeeded, Parameters: recorded))));
    }

    [Fact]
    public void An_AWS_anchor_sink_needs_its_log_group_or_bucket_and_region()
    {
        var logs = Validate(new AuditOptions { AnchorSink = AuditAnchorSinkKind.CloudWatchLogs });
        var s3 = Validate(new AuditOptions { AnchorSink = AuditAnchorSinkKind.S3, AnchorRegion = "eu-west-1" });

        Assert.Contains(logs, e => e.StartsWith("Audit:AnchorLogGroup must name the log group", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.StartsWith("Audit:AnchorRegion is required when Audit:AnchorSink is CloudWatchLogs", StringComparison.Ordinal));
        Assert.Equal(["Audit:AnchorBucket must name the Object Lock bucket when Audit:AnchorSink is S3."], s3);
    }

    [Fact]
    public void Retention_shorter_than_a_year_is_refused_and_the_defaults_are_valid()
    {
        Assert.Contains(Validate(new AuditOptions { RetentionDays = 90 }), e => e.Contains("at least 365", StringComparison.Ordinal));
        Assert.Empty(Validate(new AuditOptions()));
        Assert.Equal(400, new AuditOptions().RetentionDays);
        Assert.Equal(TimeSpan.FromMinutes(5), new AuditOptions().AnchorInterval);
    }

    [Fact]
    public void PostgreSql_without_a_connection_string_is_refused_with_the_key_to_set()
    {
        var errors = Validate(new DatabaseOptions { Provider = DatabaseProvider.PostgreSql });

        Assert.Contains(errors, e => e.Contains("Database:ConnectionString is required", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_echoing_it()
    {
        var errors = Validate(new DatabaseOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = "Hots=db;Password=hunter2" });

        var error = Assert.Single(errors);
        Assert.StartsWith("Database:ConnectionString is not a valid PostgreSql connection string", error);
        Assert.DoesNotContain("hunter2", error);
    }

    [Fact]
    public void With_no_configuration_the_database_is_a_sqlite_file_under_the_content_root()
    {
        var connectionString = PortalDatabase.ResolveConnectionString(new DatabaseOptions(), "/srv/portal");

        Assert.Empty(Validate(new DatabaseOptions()));
        Assert.Equal("Data Source=/srv/portal/App_Data/portal.db", connectionString);
    }

    private static List<string> Validate(IValidatableObject options) =>
        [.. options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? "")];
}
