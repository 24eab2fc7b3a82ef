using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations;

/// <summary>The registered kinds by key.</summary>
public sealed class OperationKinds(IEnumerable<IOperationKind> kinds)
{
    private readonly Dictionary<string, IOperationKind> _byKey = kinds.ToDictionary(k => k.Key, StringComparer.Ordinal);

    public IReadOnlyList<IOperationKind> All => _byKey.Values.OrderBy(k => k.DisplayName, StringComparer.Ordinal).ToList();

    public IOperationKind? Find(string? key) => key is not null && _byKey.TryGetValue(key, out var kind) ? kind : null;

    public IOperationKind Get(string key) =>
        Find(key) ?? throw new OperationRefusedException($"There is no operation kind '{key}'. Known: {string.Join(", ", _byKey.Keys)}.");

    /// <summary>Kinds whose platform ports the environment's backend offers.</summary>
    public IReadOnlyList<IOperationKind> AvailableIn(PortalEnvironment environment) => All.Where(k => k.Targets(environment).Count > 0).ToList();
}
