using System.Text.RegularExpressions;

namespace FinTech.Infra.Tests;

/// <summary>Static checks of the root Dockerfile: no Docker engine runs on these machines, so it is read, not built.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] Lines = ReadInstructions(Path.Combine(AppContext.BaseDirectory, "Dockerfile"));

    [Fact]
    public void The_image_is_built_in_stages_from_the_SDK_to_the_ASP_NET_runtime()
    {
        var froms = Lines.Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Equal(2, froms.Count);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/sdk:\S+ AS build$", froms[0]);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/aspnet:\S+ AS runtime$", froms[1]);
    }

    [Fact]
    public void Base_images_are_pinned_to_exact_versions()
    {
        var images = Lines.Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).Select(l => l.Split(' ')[1]);

        Assert.All(images, image => Assert.Matches(PinnedImage(), image));
    }

    [Fact]
    public void The_final_stage_runs_as_a_non_root_user()
    {
        var user = Assert.Single(FinalStage(), l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));

        var name = user["USER ".Length..].Trim();
        Assert.DoesNotMatch("^(root|0)(:.*)?$", name);
        Assert.Contains(name, new[] { "$APP_UID", "${APP_UID}", "app", "1654" });
        Assert.True(Array.IndexOf(Lines, user) > Array.FindLastIndex(Lines, l => l.StartsWith("RUN ", StringComparison.Ordinal)),
            "USER comes after the last RUN, so nothing else runs as root");
    }

    [Fact]
    public void The_writable_paths_of_the_read_only_task_are_volumes_of_the_image()
    {
        var volume = Assert.Single(FinalStage(), l => l.StartsWith("VOLUME ", StringComparison.OrdinalIgnoreCase));

        var paths = System.Text.Json.JsonSerializer.Deserialize<string[]>(volume["VOLUME ".Length..])!;
        Assert.Equal(FinTech.Infra.Stacks.WebService.WritablePaths.Values.Order(), paths.Order());
    }

    [Fact]
    public void A_healthcheck_probes_healthz()
    {
        var healthcheck = Assert.Single(FinalStage(), l => l.StartsWith("HEALTHCHECK ", StringComparison.OrdinalIgnoreCase));

        Assert.Contains("CMD ", healthcheck, StringComparison.Ordinal);
        Assert.Contains("http://localhost:8080/healthz", healthcheck, StringComparison.Ordinal);
        Assert.Contains(FinalStage(), l => l.StartsWith("RUN ", StringComparison.Ordinal) && l.Contains("install", StringComparison.Ordinal) && l.Contains("curl", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_published_output_reaches_the_final_image()
    {
        var copies = FinalStage().Where(l => l.StartsWith("COPY ", StringComparison.OrdinalIgnoreCase)).ToList();

        var copy = Assert.Single(copies);
        Assert.Matches(@"^COPY --from=build /app \./?$", copy);
        Assert.Contains(FinalStage(), l => l == "ENTRYPOINT [\"dotnet\", \"FinTech.Portal.dll\"]");
        Assert.Contains(Lines, l => l.Contains("dotnet publish FinTech.Portal/FinTech.Portal.csproj -c Release -o /app", StringComparison.Ordinal));
    }

    /// <summary>The canary's container health check runs the binary by its path in the image: the final stage's WORKDIR and ENTRYPOINT.</summary>
    [Fact]
    public void The_write_probe_health_check_names_the_binary_where_the_final_stage_puts_it()
    {
        var workdir = Assert.Single(FinalStage(), l => l.StartsWith("WORKDIR ", StringComparison.Ordinal))["WORKDIR ".Length..];

        Assert.Equal(FinTech.Infra.Stacks.WriteProbeService.PortalBinary, $"{workdir}/FinTech.Portal.dll");
        Assert.Contains(FinalStage(), l => l == "ENTRYPOINT [\"dotnet\", \"FinTech.Portal.dll\"]");
        Assert.Equal("dotnet", FinTech.Infra.Stacks.WriteProbeService.HealthCheckCommand[1]);
    }

    [Fact]
    public void The_build_copies_the_build_settings_and_holds_no_secrets()
    {
        Assert.Contains("COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./", Lines);
        Assert.DoesNotContain(Lines, l => Regex.IsMatch(l, "^(ARG|ENV) .*(SECRET|PASSWORD|TOKEN|KEY)", RegexOptions.IgnoreCase));
        Assert.Equal(8080, int.Parse(Assert.Single(FinalStage(), l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))["EXPOSE ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_dockerignore_keeps_build_output_tests_and_local_secrets_out_of_the_context()
    {
        var ignored = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Subset(ignored.ToHashSet(), new HashSet<string> { "**/bin/", "**/obj/", ".git/", "FinTech.Portal.Tests/", "infra/", ".env", "**/*.pfx" });
    }

    private static IEnumerable<string> FinalStage() =>
        Lines.Skip(Array.FindLastIndex(Lines, l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Instructions with line continuations joined and comments dropped.</summary>
    private static string[] ReadInstructions(string path)
    {
        var text = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal);
        return text.Split('\n')
            .Select(l => Regex.Replace(l.Trim(), @"\s+", " "))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToArray();
    }

    /// <summary>A registry image with an exact major.minor.patch tag (optionally a distro suffix), or a digest.</summary>
    [GeneratedRegex(@"^[\w.\-/]+(:\d+\.\d+\.\d+(-[a-z0-9.\-]+)?(@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedImage();
}
