namespace FinTech.Portal.Sandbox;

/// <summary>
/// Deterministic noise: every value is a hash of (stream, minute), so any minute of any day can be
/// computed on its own, in any order, without storing samples. A stream is (seed, noise source, entity).
/// </summary>
internal static class SandboxNoise
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>FNV-1a: <see cref="string.GetHashCode()"/> is randomized per process, this is stable.</summary>
    public static ulong Key(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    public static ulong Stream(int seed, string source, int entity) =>
        Mix(Mix((ulong)(uint)seed * Golden) ^ Key(source) ^ Mix((ulong)(entity + 1) * Golden));

    /// <summary>SplitMix64's finalizer: a cheap, well-spread 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>SplitMix64's output for (stream, minute): the stream is the state, the minute the step.</summary>
    private static ulong Hash(ulong stream, long minute) => Mix(stream + (ulong)minute * Golden);

    /// <summary>Uniform in [0, 1).</summary>
    public static double Uniform(ulong stream, long minute) => (Hash(stream, minute) >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Bell-shaped in [-1, 1] (mean of three uniforms cut from one hash). Bounded on purpose: the
    /// baseline platform must never cross an alarm threshold, whatever the seed and the minute.
    /// </summary>
    public static double Jitter(ulong stream, long minute)
    {
        const double scale = 1.0 / (1 << 21);
        const ulong mask = (1 << 21) - 1;
        var hash = Hash(stream, minute);
        var sum = (hash & mask) + ((hash >> 21) & mask) + ((hash >> 42) & mask);
        return sum * scale / 1.5 - 1;
    }

    /// <summary>Slow drift in [-1, 1]: jitter at knots every <paramref name="knotMinutes"/>, smoothly interpolated.</summary>
    public static double Wander(ulong stream, long minute, int knotMinutes)
    {
        var knot = FloorDiv(minute, knotMinutes);
        var fraction = (double)(minute - knot * knotMinutes) / knotMinutes;
        var weight = fraction * fraction * (3 - 2 * fraction);
        var from = Jitter(stream, knot);
        var to = Jitter(stream, knot + 1);
        return from + (to - from) * weight;
    }

    public static long FloorDiv(long value, long divisor)
    {
        var quotient = value / divisor;
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
    }
}

/// <summary>
/// The latencies of one minute: log-normal with the given median and shape over
/// <see cref="Count"/> requests. Every percentile comes from the same median and sigma, so a higher
/// percentile is never below a lower one.
/// </summary>
internal readonly record struct LogNormal(double Median, double Sigma, double Count)
{
    public double Quantile(double probability) => Median * Math.Exp(Sigma * Normal.InverseCdf(probability));

    public double Mean => Median * Math.Exp(Sigma * Sigma / 2);

    /// <summary>The expected fastest of <see cref="Count"/> requests.</summary>
    public double Minimum => Quantile(1 / (Math.Max(Count, 1) + 1));

    /// <summary>The expected slowest of <see cref="Count"/> requests.</summary>
    public double Maximum => Quantile(1 - 1 / (Math.Max(Count, 1) + 1));
}

internal static class Normal
{
    // Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    public static double InverseCdf(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        var r = p - 0.5;
        var s = r * r;
        return (((((A[0] * s + A[1]) * s + A[2]) * s + A[3]) * s + A[4]) * s + A[5]) * r / (((((B[0] * s + B[1]) * s + B[2]) * s + B[3]) * s + B[4]) * s + 1);
    }
}

internal static class NormalCdf
{
    /// <summary>Φ(x), from erfc with Numerical Recipes' Chebyshev fit (relative error &lt; 1.2e-7).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
