using System.Globalization;

namespace Chat.LoadTests.Reports;

/// <summary>Number formatting shared by the text reports: invariant culture, few digits.</summary>
internal static class Format
{
    public static string Number(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("#,0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.#", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Ratio(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
