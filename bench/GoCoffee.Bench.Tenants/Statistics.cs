namespace GoCoffee.Bench.Tenants;

public static class Statistics
{
    /// <summary>Nearest-rank percentile (p50 of 30 samples is the 15th smallest; p99 of fewer than 100 is the maximum).</summary>
    public static double Percentile(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 50);
}
