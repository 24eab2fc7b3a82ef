namespace FinTech.Portal.Tests;

/// <summary>
/// A test portal's own files in a temporary folder (its SQLite database and audit anchors), the
/// settings that point the portal at them, and their removal. Several portals may share one
/// folder, as tasks share a database; only the creator deletes it.
/// </summary>
public sealed class PortalTestFiles : IDisposable
{
    private readonly bool _owned;

    public PortalTestFiles(string? directory = null)
    {
        _owned = directory is null;
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("portal-test-").FullName;
    }

    public string Directory { get; }

    /// <summary>The portal's file settings, then <paramref name="overrides"/> on top.</summary>
    public Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(Directory, "portal.db")}",
            ["Audit:AnchorFile"] = Path.Combine(Directory, "audit-anchors.jsonl"),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    public void Dispose()
    {
        if (!_owned)
        {
            return;
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite connection or a late background write may still hold a file; the OS cleans temp folders.
        }
    }
}
