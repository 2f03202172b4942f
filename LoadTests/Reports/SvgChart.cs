using System.Globalization;
using System.Security;
using System.Text;

namespace Chat.LoadTests.Reports;

/// <summary>
/// A line chart as plain SVG: axes with rounded ticks, one polyline per series, a legend. No script and no external
/// reference, so it works inline in the HTML report, as a standalone .svg file and as an image in a README.
/// </summary>
internal static class SvgChart
{
    private const int Width = 760;
    private const int Height = 320;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 36;
    private const int Bottom = 64;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).ToList();
        var xMax = NiceCeiling(points.Count > 0 ? points.Max(p => p.X) : 1);
        var yMax = NiceCeiling(points.Count > 0 ? points.Max(p => p.Y) : 1);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double x) => Left + x / xMax * plotWidth;
        double Y(double y) => Top + plotHeight - y / yMax * plotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n");
        for (var i = 0; i <= 5; i++)
        {
            var y = yMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(Y(y))}\" x2=\"{Width - Right}\" y2=\"{F(Y(y))}\" stroke=\"#e0e0e0\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Y(y) + 4)}\" text-anchor=\"end\">{Tick(y)}</text>\n");
            var x = xMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(x))}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\">{Tick(x)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + plotHeight + 32}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{Top + plotHeight / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + plotHeight / 2})\">{Escape(yLabel)}</text>\n");

        var legendX = Left;
        for (var s = 0; s < series.Count; s++)
        {
            var color = Palette[s % Palette.Length];
            var line = series[s];
            if (line.Points.Count > 0)
            {
                var path = string.Join(' ', line.Points.Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
            }

            var legendY = Height - 12;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{legendY - 9}\" width=\"12\" height=\"10\" fill=\"{color}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{legendX + 16}\" y=\"{legendY}\">{Escape(line.Name)}</text>\n");
            legendX += 28 + line.Name.Length * 7;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The smallest 1, 2 or 5 times a power of ten at or above <paramref name="value"/> (1 for nothing to show).</summary>
    public static double NiceCeiling(double value)
    {
        if (!(value > 0) || !double.IsFinite(value)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (double[])[1, 2, 5, 10])
        {
            if (step * power >= value * (1 - 1e-12)) return step * power;
        }

        return 10 * power;
    }

    private static string Tick(double value) =>
        value >= 1000 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
