namespace FinTech.Portal.Dashboards;

public static class DashboardsSetup
{
    public static IHostApplicationBuilder AddDashboards(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>()
            .BindConfiguration(DashboardOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<DashboardRefreshHub>();
        builder.Services.AddSingleton<DashboardViewer>();
        builder.Services.AddSingleton<Panels.DashboardGridMarkup>();
        return builder;
    }
}
