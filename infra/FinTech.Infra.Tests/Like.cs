using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

/// <summary>Shorthand for <c>Match.ObjectLike</c> over a dictionary literal.</summary>
public static class Like
{
    public static Matcher Object(params (string Key, object Value)[] entries) =>
        Match.ObjectLike(entries.ToDictionary(e => e.Key, e => e.Value));

    public static Matcher ArrayWith(params object[] items) => Match.ArrayWith(items);
}
