namespace Chat.LoadTests.Measurement;

/// <summary>
/// Whether one resource still grows after warm-up. A soak's load comes in cycles (floods that open hundreds of
/// connections, then close them), so every resource is a sawtooth whose peaks are load, not a leak; what a leak raises
/// is the level it falls back to. So each window (one load cycle) contributes its minimum, and the least-squares slope
/// of those minima over the windows of the second half of the run, times the second half's length, is the growth.
/// It fails past <see cref="Tolerance"/>: the larger of an absolute noise floor and a fraction of the level at
/// warm-up's end.
/// </summary>
internal sealed record ResourceTrend(string Name, string Unit, int Points, double First, double Last, double SlopePerMinute, double Growth, double Tolerance)
{
    public bool Passed => Points >= MinimumPoints && Growth <= Tolerance;

    /// <summary>Fewer windows than this in the second half cannot tell growth from noise.</summary>
    public const int MinimumPoints = 2;

    /// <param name="name">The resource, for the report.</param>
    /// <param name="unit">Its unit, for the report.</param>
    /// <param name="samples">(seconds, value) samples; values may be missing for some seconds.</param>
    /// <param name="windows">Window start times in seconds; the last one ends the last window.</param>
    /// <param name="absoluteTolerance">Growth always allowed over the second half, in the samples' unit.</param>
    /// <param name="relativeTolerance">Growth allowed as a fraction of the level at warm-up's end.</param>
    public static ResourceTrend Measure(string name, string unit, IReadOnlyList<(double X, double Y)> samples, IReadOnlyList<double> windows,
        double absoluteTolerance, double relativeTolerance)
    {
        var points = SecondHalfFloors(samples, windows);
        if (points.Count == 0) return new ResourceTrend(name, unit, 0, 0, 0, 0, 0, absoluteTolerance);
        var slope = Slope(points);
        var span = (windows[^1] - windows[0]) / 2;
        var tolerance = Math.Max(absoluteTolerance, relativeTolerance * points[0].Y);
        return new ResourceTrend(name, unit, points.Count, points[0].Y, points[^1].Y, slope * 60, slope * span, tolerance);
    }

    /// <summary>(window middle, minimum of the window's samples) for every window that starts in the second half.</summary>
    public static List<(double X, double Y)> SecondHalfFloors(IReadOnlyList<(double X, double Y)> samples, IReadOnlyList<double> windows)
    {
        var floors = new List<(double X, double Y)>();
        if (windows.Count < 2) return floors;
        var half = windows[0] + (windows[^1] - windows[0]) / 2;
        for (var i = 0; i + 1 < windows.Count; i++)
        {
            var (from, to) = (windows[i], windows[i + 1]);
            if (from < half) continue;
            var inside = samples.Where(s => s.X >= from && s.X < to).ToList();
            if (inside.Count > 0) floors.Add(((from + to) / 2, inside.Min(s => s.Y)));
        }

        return floors;
    }

    /// <summary>Least-squares slope of y over x; 0 for fewer than two distinct x.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) return 0;
        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return sxx > 0 ? points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / sxx : 0;
    }
}
