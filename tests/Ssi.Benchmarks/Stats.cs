using System.Globalization;

namespace Ssi.Benchmarks;

/// <summary>Percentiles of a sample, in milliseconds.</summary>
internal sealed record Stats(double P50, double P99, double Min, double Max)
{
    public static Stats Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Stats(At(0.50), At(0.99), sorted[0], sorted[^1]);
    }

    public static string Ms(double value) => value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);
}
