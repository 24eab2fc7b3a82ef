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

    // The status colours are darker than MudBlazor's defaults: white text on them, and they as
    // text on white, reach WCAG AA's 4.5:1 (MudBlazor's #00c853 green gives 2.2:1).
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            Secondary = "#2e7d32",
            AppbarBackground = "#1f4e79",
            Success = "#2e7d32",
            Error = "#c62828",
            Info = "#1565c0",
            Warning = "#a85000",
        },
        // Dark: light accents on dark surfaces, dark text on the light accents.
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9",
            PrimaryContrastText = "#0d1b2a",
            Secondary = "#81c784",
            SecondaryContrastText = "#0d1b2a",
            AppbarBackground = "#16283a",
            AppbarText = "#ffffff",
            Success = "#2e7d32",
            Error = "#c62828",
            Info = "#1565c0",
            Warning = "#a85000",
            TextSecondary = "rgba(255,255,255,0.74)",
        },
    };
}
