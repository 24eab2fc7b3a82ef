using System.Diagnostics;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// A real OpenID provider (the <c>oidc-provider</c> npm package, see <c>oidc/provider.mjs</c>)
/// on 127.0.0.1, with an Entra-shaped issuer <c>http://127.0.0.1:PORT/{tenantId}/v2.0</c>. It
/// signs in one configured user whose ID token carries <c>oid</c>, <c>tid</c>, <c>name</c> and
/// <c>roles</c>. Stopped when disposed (and by itself when the test process's pipe closes).
/// </summary>
public sealed class LocalOpenIdProvider : IAsyncDisposable
{
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan _installTimeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim _installGate = new(1, 1);

    private readonly Process _process;

    private LocalOpenIdProvider(Process process, Uri root, string tenantId)
    {
        _process = process;
        Instance = root;
        TenantId = tenantId;
    }

    /// <summary>What <c>AzureAd:Instance</c> would be: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Instance { get; }

    public string TenantId { get; }

    public string Issuer => $"{Instance}{TenantId}/v2.0";

    public sealed record Client(string ClientId, string ClientSecret, Uri RedirectUri, Uri PostLogoutRedirectUri);

    public sealed record User(string ObjectId, string Name, IReadOnlyList<string> AppRoles);

    public static async Task<LocalOpenIdProvider> StartAsync(string tenantId, Client client, User user)
    {
        var folder = ProviderFolder();
        await EnsureInstalledAsync(folder);
        var start = new ProcessStartInfo("node", "provider.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OIDC_TENANT_ID"] = tenantId;
        start.Environment["OIDC_CLIENT_ID"] = client.ClientId;
        start.Environment["OIDC_CLIENT_SECRET"] = client.ClientSecret;
        start.Environment["OIDC_REDIRECT_URI"] = client.RedirectUri.ToString();
        start.Environment["OIDC_POST_LOGOUT_REDIRECT_URI"] = client.PostLogoutRedirectUri.ToString();
        start.Environment["OIDC_USER_OID"] = user.ObjectId;
        start.Environment["OIDC_USER_NAME"] = user.Name;
        start.Environment["OIDC_USER_ROLES"] = string.Join(",", user.AppRoles);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(_startTimeout);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The OpenID provider stopped before listening: {errors}");
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    return new LocalOpenIdProvider(process, new Uri(line["listening ".Length..].Trim() + "/"), tenantId);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        _process.Dispose();
    }

    private static string ProviderFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "FinTech.Portal.Tests", "Identity", "oidc");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("FinTech.Portal.Tests/Identity/oidc is not above the test binaries.");
    }

    /// <summary><c>npm ci</c> from the committed lock file when the packages are not installed yet.</summary>
    private static async Task EnsureInstalledAsync(string folder)
    {
        await _installGate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(folder, "node_modules", "oidc-provider", "package.json")))
            {
                return;
            }
            var install = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("npm did not start.");
            var output = install.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(_installTimeout);
            await install.WaitForExitAsync(timeout.Token);
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {folder}: {await output}");
            }
        }
        finally
        {
            _installGate.Release();
        }
    }
}
