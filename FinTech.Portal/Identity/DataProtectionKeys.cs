using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using FinTech.Portal.Database;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>
/// Data Protection keys (they protect the session cookie, antiforgery tokens and the circuit
/// state) live in the portal database, shared by every portal task: a cookie issued by one task
/// is accepted by the next request's task behind the ALB, and a redeploy does not sign everyone out.
/// </summary>
internal static class DataProtectionKeys
{
    public const string ApplicationName = "FinTech.Portal";

    public static IHostApplicationBuilder AddPortalDataProtection(this IHostApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new DatabaseXmlRepository(
                    services.GetRequiredService<PortalDatabase>(), services.GetRequiredService<TimeProvider>())));

        // Encrypted at rest with a certificate when the host mounts one (from Secrets Manager).
        // With AWS KMS instead, an IXmlEncryptor/IXmlDecryptor pair calling KMS Encrypt and
        // Decrypt with the portal's customer-managed key would be set here through
        // KeyManagementOptions.XmlEncryptor; Aurora's own KMS encryption at rest covers the
        // table in the meantime.
        var identity = builder.Configuration.GetSection(PortalIdentityOptions.SectionName);
        if (identity[nameof(PortalIdentityOptions.DataProtectionCertificatePath)] is { Length: > 0 } path)
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, identity[nameof(PortalIdentityOptions.DataProtectionCertificatePassword)]);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        return builder;
    }
}

/// <summary>The key ring's XML elements as rows of <c>data_protection_keys</c>.</summary>
internal sealed class DatabaseXmlRepository(PortalDatabase database, TimeProvider time) : IXmlRepository
{
    // Data Protection calls these synchronously, rarely (start, key ring refresh, key creation);
    // the connection is opened the async way and the commands run synchronously.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM data_protection_keys ORDER BY id";
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @at)";
        command.AddParameter("@name", friendlyName)
            .AddParameter("@xml", element.ToString(SaveOptions.DisableFormatting))
            .AddParameter("@at", FinTech.Portal.Hosting.Timestamps.Store(time.GetUtcNow()));
        command.ExecuteNonQuery();
    }

    private DbConnection Open() => database.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
}
