using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Browser;

/// <summary>The real portal, with the test-only Auditor sign-in (see <see cref="TestAuditorAuthentication"/>).</summary>
public sealed class AuditorPortal : PortalServer
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
            services.AddAuthentication(TestAuditorAuthentication.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuditorAuthentication>(TestAuditorAuthentication.SchemeName, _ => { }));
    }
}
