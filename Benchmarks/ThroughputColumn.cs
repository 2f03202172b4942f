using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Chat.Benchmarks;

/// <summary>
/// GB/s = bytes per operation / mean time per operation. The bytes come from a fresh instance of the benchmark class
/// with the case's parameters and its global setup applied, so they are exactly what the measured runs processed.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly ConcurrentDictionary<BenchmarkCase, long> _bytes = new();

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Input bytes processed per second, 10^9 (bytes per operation / mean)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var bytes = _bytes.GetOrAdd(benchmarkCase, BytesPerOperation);
        if (mean is not > 0 || bytes <= 0) return "-";
        return (bytes / mean.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    private static long BytesPerOperation(BenchmarkCase benchmarkCase)
    {
        var type = benchmarkCase.Descriptor.Type;
        if (Activator.CreateInstance(type) is not IThroughputBenchmark instance) return 0;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            var property = type.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance);
            if (property is not null) property.SetValue(instance, parameter.Value);
            else type.GetField(parameter.Name, BindingFlags.Public | BindingFlags.Instance)?.SetValue(instance, parameter.Value);
        }
        benchmarkCase.Descriptor.GlobalSetupMethod?.Invoke(instance, null);
        return instance.BytesPerOperation;
    }
}
