using System.Net;
using FinTech.Portal.Tests.Database;

namespace FinTech.Portal.Tests.Identity;

/// <summary>Two portal tasks behind the ALB: whichever answers, the session holds.</summary>
public static class TwoInstances
{
    public static async Task A_cookie_issued_by_one_instance_is_accepted_by_the_other(PortalAppFactory first, PortalAppFactory second)
    {
        var firstClient = first.CreatePortalClient();
        var signIn = await PersonaSignIn.AsAsync(firstClient, "aubrey");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-portal-auth=", StringComparison.Ordinal)).Split(';')[0];
        // The second task has never seen this browser: no cookies but the one the browser sends.
        var secondClient = second.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = PortalAppFactory.BaseAddress,
            AllowAutoRedirect = false,
            HandleCookies = false,
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/account");
        request.Headers.Add("Cookie", cookie);
        var response = await secondClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Aubrey Auditor", await response.Content.ReadAsStringAsync());
    }
}

public class SharedKeysTests
{
    [Fact]
    public async Task Two_instances_sharing_one_SQLite_database_accept_each_others_auth_cookies()
    {
        var folder = Directory.CreateTempSubdirectory("portal-two-instances-").FullName;
        try
        {
            await using var first = new PortalAppFactory(dataDirectory: folder);
            await using var second = new PortalAppFactory(dataDirectory: folder);

            await TwoInstances.A_cookie_issued_by_one_instance_is_accepted_by_the_other(first, second);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_instance_with_another_database_refuses_the_cookie()
    {
        await using var first = new PortalAppFactory();
        await using var stranger = new PortalAppFactory();
        var signIn = await PersonaSignIn.AsAsync(first.CreatePortalClient(), "aubrey");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-portal-auth=", StringComparison.Ordinal)).Split(';')[0];
        var client = stranger.CreatePortalClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/account");
        request.Headers.Add("Cookie", cookie);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task The_keys_are_encrypted_at_rest_when_a_certificate_is_configured()
    {
        var folder = Directory.CreateTempSubdirectory("portal-keys-cert-").FullName;
        try
        {
            using (var certificate = Loopback.SelfSignedCertificate())
            {
                await File.WriteAllBytesAsync(Path.Combine(folder, "dp.pfx"), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
            }
            var settings = new Dictionary<string, string?>
            {
                ["Identity:DataProtectionCertificatePath"] = Path.Combine(folder, "dp.pfx"),
                ["Identity:DataProtectionCertificatePassword"] = "pfx-password",
            };
            await using var first = new PortalAppFactory(settings, dataDirectory: folder);
            await using var second = new PortalAppFactory(settings, dataDirectory: folder);

            await TwoInstances.A_cookie_issued_by_one_instance_is_accepted_by_the_other(first, second);

            var keys = await StoredKeysAsync(Path.Combine(folder, "portal.db"));
            Assert.NotEmpty(keys);
            Assert.All(keys, xml =>
            {
                // The master key's <value> appears only in the encrypted form.
                Assert.Contains("<encryptedSecret", xml);
                Assert.Contains("EncryptedData", xml);
                Assert.DoesNotContain("<value>", xml);
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<string>> StoredKeysAsync(string file)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM data_protection_keys";
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    }
}

[Collection(PostgresCollection.Name)]
public class SharedKeysOnPostgreSqlTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Two_instances_sharing_one_PostgreSQL_database_accept_each_others_auth_cookies()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync($"portal_identity_{Guid.NewGuid():N}"[..30]);
        // Each task its own Application Name, so that each has its own Npgsql pool, as two tasks do.
        Dictionary<string, string?> PortalTask(int n) => new()
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:ConnectionString"] = $"{connectionString};Application Name=portal-task-{n}",
        };
        await using var first = new PortalAppFactory(PortalTask(1));
        await using var second = new PortalAppFactory(PortalTask(2));

        await TwoInstances.A_cookie_issued_by_one_instance_is_accepted_by_the_other(first, second);
    }
}
