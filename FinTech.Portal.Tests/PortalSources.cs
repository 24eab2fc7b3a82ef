using System.Text.RegularExpressions;

namespace FinTech.Portal.Tests;

/// <summary>
/// The portal's own source files, for the few rules a compiler cannot hold (one way to get the
/// current user, one timestamp format): found from the test's output folder up to the checkout.
/// </summary>
internal static class PortalSources
{
    public static string Root { get; } = FindRoot();

    /// <summary>The portal's files whose name ends with one of <paramref name="endings"/>, as paths relative to FinTech.Portal with '/'.</summary>
    public static IReadOnlyList<string> Files(params string[] endings) =>
        [.. Directory.EnumerateFiles(Path.Combine(Root, "FinTech.Portal"), "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Path.Combine(Root, "FinTech.Portal"), path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Where(path => endings.Any(ending => path.EndsWith(ending, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, "FinTech.Portal", relativePath));

    /// <summary>"file:line: text" for each line of the files that <paramref name="pattern"/> matches.</summary>
    public static IReadOnlyList<string> LinesMatching(IEnumerable<string> files, Regex pattern) =>
        [.. files.SelectMany(file => Read(file).Split('\n')
            .Select((line, index) => (line, index))
            .Where(l => pattern.IsMatch(l.line))
            .Select(l => $"{file}:{l.index + 1}: {l.line.Trim()}"))];

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FinTech.Portal.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("The tests run from inside the repository's checkout (FinTech.Portal.sln above the test's output folder).");
    }
}
