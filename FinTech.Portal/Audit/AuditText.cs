using System.Globalization;
using System.Text;

namespace FinTech.Portal.Audit;

/// <summary>
/// Text that a visitor chose (an unknown environment in an address, a persona name, a header),
/// made safe to record: at most a bounded number of characters, and printable ASCII only, every
/// other character (control characters, ANSI escapes, right-to-left overrides, NUL) written as
/// <c>\uXXXX</c>, so that what a reviewer reads is exactly what was sent and cannot pose as
/// something else.
/// </summary>
public static class AuditText
{
    public const int DefaultMaxLength = 64;

    public static string? Bounded(string? text, int maxLength = DefaultMaxLength)
    {
        if (text is null)
        {
            return null;
        }
        var truncated = text.Length > maxLength;
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        foreach (var c in truncated ? text.AsSpan(0, maxLength) : text.AsSpan())
        {
            if (c is >= ' ' and <= '~' && c != '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }
        if (truncated)
        {
            builder.Append(CultureInfo.InvariantCulture, $"... ({text.Length} characters)");
        }
        return builder.ToString();
    }
}
