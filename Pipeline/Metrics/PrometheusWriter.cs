using System.Globalization;
using System.Text;

namespace Chat.Pipeline.Metrics;

/// <summary>Prometheus text exposition format 0.0.4.</summary>
internal sealed class PrometheusWriter
{
    private readonly StringBuilder _text = new(4096);

    public void Header(string name, string help, string type)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, double value) =>
        _text.Append(name).Append(' ').Append(Format(value)).Append('\n');

    public void Sample(string name, string label, string labelValue, double value) =>
        _text.Append(name).Append('{').Append(label).Append("=\"").Append(labelValue).Append("\"} ").Append(Format(value)).Append('\n');

    public void Bucket(string name, double upperBound, long cumulative) =>
        _text.Append(name).Append("_bucket{le=\"").Append(Format(upperBound)).Append("\"} ").Append(cumulative).Append('\n');

    public void Metric(string name, string help, string type, double value)
    {
        Header(name, help, type);
        Sample(name, value);
    }

    public override string ToString() => _text.ToString();

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);
}
