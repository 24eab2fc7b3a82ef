using MudBlazor;

namespace FinTech.Portal.Components.Layout;

internal static class PortalTheme
{
    /// <summary>
    /// The cookie that remembers a person's dark or light choice (theme.js writes it). A cookie
    /// rather than local storage: the server reads it while prerendering, so a dark page never
    /// flashes white first. A preference only, nothing secret.
    /// </summary>
    public const string CookieName = "portal-theme";

    public static bool IsDark(HttpContext? context) => context?.Request.Cookies[CookieName] == "dark";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            Secondary = "#2e7d32",
            AppbarBackground = "#1f4e79",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9",
            PrimaryContrastText = "#0d1b2a",
            Secondary = "#81c784",
            AppbarBackground = "#16283a",
        },
    };
}
