using System.Text.Json;
using Microsoft.Playwright;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// axe-core (npm, from <c>Browser/axe</c>'s lock file, installed by <c>./test.sh</c>) run inside a
/// page: the WCAG 2.0/2.1 A and AA rules. It is evaluated through the DevTools protocol, which the
/// portal's Content-Security-Policy (script-src 'self') rightly refuses to page scripts.
/// </summary>
public static class AxeExtensions
{
    private static readonly Lazy<string> Source = new(() => File.ReadAllText(AxePath()));

    private const string Run = """
        async () => {
          const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.slice(0, 6)
              .map(n => `    ${n.target.join(' ')}  ${n.html.slice(0, 180)}\n      ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 240)}`).join('\n'));
        }
        """;

    /// <summary>The serious and critical WCAG 2 A/AA violations on the page as it is now, described for a failure message.</summary>
    public static async Task<IReadOnlyList<string>> AxeViolationsAsync(this IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.EvaluateAsync(Source.Value);
        }
        IReadOnlyList<string> violations = [];
        // When a circuit starts, Blazor's HeadOutlet replaces the prerendered title, which can be
        // empty for a moment, also while axe runs: a check that saw it missing is run again once the
        // title is back. A page whose title stays missing still fails (the wait or the third check).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await page.WaitForFunctionAsync("() => document.title.length > 0");
            var found = await page.EvaluateAsync<JsonElement>(Run);
            violations = [.. found.EnumerateArray().Select(v => v.GetString()!)];
            if (!violations.Any(v => v.StartsWith("document-title", StringComparison.Ordinal)))
            {
                break;
            }
        }
        return violations;
    }

    /// <summary>Fails with every serious or critical violation on the page, naming the page.</summary>
    public static async Task AssertAccessibleAsync(this IPage page, string what)
    {
        var violations = await page.AxeViolationsAsync();
        Assert.True(violations.Count == 0, $"{what} ({page.Url}) has {violations.Count} serious or critical WCAG 2 A/AA violation(s):\n{string.Join("\n", violations)}");
    }

    private static string AxePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "FinTech.Portal.Tests", "Browser", "axe", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("axe-core is not installed: run ./test.sh (it runs npm ci in FinTech.Portal.Tests/Browser/axe).");
    }
}
