using System.Security.Claims;
using FinTech.Portal.Identity;

namespace FinTech.Portal.Tests.Identity;

public class EntraAppRoleTests
{
    private static readonly DateTimeOffset _signedInAt = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void App_roles_become_portal_roles_and_unknown_app_roles_are_dropped()
    {
        var entra = Token(
            new Claim("oid", "0a1b2c3d-0000-4000-8000-000000000001"),
            new Claim("name", "Erin Entra"),
            new Claim("tid", "4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09"),
            new Claim("roles", "Portal.Approver"),
            new Claim("roles", "Portal.Admin"),
            new Claim("roles", "Payments.Reader"));

        var user = EntraIdSignIn.ToPortalPrincipal(entra, _signedInAt)!;

        Assert.Equal(["Approver", "Admin"], PortalUser.RolesOf(user));
        Assert.DoesNotContain(user.Claims, c => c.Value == "Payments.Reader");
        Assert.Equal("0a1b2c3d-0000-4000-8000-000000000001", PortalUser.IdOf(user));
        Assert.Equal("Erin Entra", user.Identity!.Name);
        Assert.Equal("4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09", user.FindFirst("tid")!.Value);
        Assert.Equal(_signedInAt, PortalUser.SignedInAtOf(user));
        Assert.True(user.IsInRole("Approver"));
    }

    [Fact]
    public void Roles_already_mapped_to_the_role_claim_type_are_read_too()
    {
        var entra = Token(
            new Claim("http://schemas.microsoft.com/identity/claims/objectidentifier", "0a1b2c3d-0000-4000-8000-000000000002"),
            new Claim(ClaimTypes.Role, "Portal.Operator"));

        var user = EntraIdSignIn.ToPortalPrincipal(entra, _signedInAt)!;

        Assert.Equal(["Operator"], PortalUser.RolesOf(user));
        Assert.Equal("0a1b2c3d-0000-4000-8000-000000000002", user.FindFirst("oid")!.Value);
    }

    [Fact]
    public void A_token_without_an_object_id_signs_nobody_in()
    {
        var entra = Token(new Claim("name", "No Id"), new Claim("roles", "Portal.Admin"));

        Assert.Null(EntraIdSignIn.ToPortalPrincipal(entra, _signedInAt));
    }

    private static ClaimsPrincipal Token(params Claim[] claims) => new(new ClaimsIdentity(claims, "AuthenticationTypes.Federation"));
}
