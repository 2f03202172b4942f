namespace Chat.LoadTests.Reports;

/// <summary>A rendered chart: the file it is also written to, its title, and its SVG text.</summary>
internal sealed record Chart(string FileName, string Title, string Svg);
