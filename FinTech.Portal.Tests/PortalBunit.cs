using Bunit;
using MudBlazor.Services;

namespace FinTech.Portal.Tests;

/// <summary>The one place bUnit tests get the portal's UI services (MudBlazor) registered.</summary>
internal static class PortalBunit
{
    public static BunitContext Create()
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        return context;
    }
}
