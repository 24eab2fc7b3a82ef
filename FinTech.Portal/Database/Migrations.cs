using System.Reflection;

namespace FinTech.Portal.Database;

/// <summary>One versioned schema change, written for each provider. Applied once, in order, in its own transaction.</summary>
public sealed record Migration(string Id, string Sqlite, string PostgreSql)
{
    public string SqlFor(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSql ? PostgreSql : Sqlite;
}

/// <summary>
/// A feature's own migrations (architecture decision 9: features own their schema). Implement it
/// in the feature folder with a public parameterless constructor; <see cref="Migrations.All"/>
/// finds it. Ids are ordered ordinally across features: new ones start with the UTC time they were
/// written (<c>202612011400_operation_runs</c>) so that branches written in parallel never collide,
/// and never change once shipped (databases record the ids they applied in <c>schema_migrations</c>).
/// </summary>
public interface IMigrationSource
{
    IReadOnlyList<Migration> Migrations { get; }
}

/// <summary>Every feature's migrations, in the order they are applied. The Database folder runs them; it does not list them.</summary>
public static class Migrations
{
    public static readonly IReadOnlyList<Migration> All = Discover(typeof(Migrations).Assembly);

    internal static IReadOnlyList<Migration> Discover(Assembly assembly)
    {
        var all = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMigrationSource).IsAssignableFrom(t))
            .SelectMany(t => ((IMigrationSource)Activator.CreateInstance(t)!).Migrations)
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        var duplicate = all.GroupBy(m => m.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share the id '{duplicate.Key}'; each feature's ids must be unique.");
        }
        return all;
    }
}
