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

/// <summary>
/// The theme's CSS (MudBlazor's variables for both palettes, its scrollbar and chart rules), rendered
/// once per process by MudBlazor's own <see cref="MudThemeProvider"/> and written into every page's
/// head by <c>App</c>: a MudThemeProvider in the layout would cost every open circuit a component
/// holding about 25 KB of style text and the theme's colour objects. The light variables sit on
/// <c>:root</c>, the dark ones on <c>:root.portal-dark</c> (the class on &lt;html&gt; that App sets
/// from the cookie and theme.js switches), so switching needs no server round trip and the first
/// paint is already in the remembered theme.
/// </summary>
internal static class PortalThemeStyles
{
    private static Task<Microsoft.AspNetCore.Components.MarkupString>? _styles;

    public static Task<Microsoft.AspNetCore.Components.MarkupString> GetAsync(IServiceProvider services)
    {
        var styles = LazyInitializer.EnsureInitialized(ref _styles, () => RenderAsync(services));
        if (styles.IsFaulted)
        {
            // Tried again by the next page rather than remembered.
            Interlocked.CompareExchange(ref _styles, null, styles);
        }
        return styles;
    }

    private static async Task<Microsoft.AspNetCore.Components.MarkupString> RenderAsync(IServiceProvider services)
    {
        var light = await RenderProviderAsync(services, dark: false);
        var dark = await RenderProviderAsync(services, dark: true);
        return new Microsoft.AspNetCore.Components.MarkupString(light + DarkVariables(dark));
    }

    /// <summary>Only the dark theme's variables block, scoped to the dark class.</summary>
    internal static string DarkVariables(string darkProviderHtml)
    {
        const string Start = "<style class='mud-theme-provider'>";
        var start = darkProviderHtml.IndexOf(Start, StringComparison.Ordinal);
        var end = start < 0 ? -1 : darkProviderHtml.IndexOf("</style>", start, StringComparison.Ordinal);
        var root = start < 0 ? -1 : darkProviderHtml.IndexOf(":root", start, StringComparison.Ordinal);
        if (start < 0 || end < 0 || root < 0 || root > end)
        {
            throw new InvalidOperationException("MudThemeProvider no longer renders its variables as a :root block in a <style class='mud-theme-provider'>.");
        }
        return "<style class='portal-dark-theme'>:root.portal-dark" + darkProviderHtml[(root + ":root".Length)..end] + "</style>";
    }

    private static async Task<string> RenderProviderAsync(IServiceProvider services, bool dark)
    {
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new Microsoft.AspNetCore.Components.Web.HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = Microsoft.AspNetCore.Components.ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = PortalTheme.Theme,
                [nameof(MudThemeProvider.IsDarkMode)] = dark,
            });
            var output = await renderer.RenderComponentAsync<MudThemeProvider>(parameters);
            return output.ToHtmlString();
        });
    }
}
