namespace Chat.LoadTests.Reports;

/// <summary>One line of a chart: a name for the legend and its points (x in seconds).</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);
