// ns per trace operation: a replay benchmark's mean divided by the trace's operation count.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Pymalloc.Benchmarks;

internal sealed class NsPerTraceOpColumn : IColumn
{
    public string Id => nameof(NsPerTraceOpColumn);
    public string ColumnName => "ns/op";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Mean time per trace operation (calls plus the final frees), in nanoseconds";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? ns = NsPerOp(summary, benchmarkCase);
        return ns is null ? "-" : ns.Value.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>For replay benchmarks, mean / operations; for the others, BenchmarkDotNet's mean is already per op.</summary>
    public static double? NsPerOp(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
        {
            return null;
        }
        object? trace = benchmarkCase.Parameters["Trace"];
        return trace is string name ? stats.Mean / TraceFiles.Operations(name) : stats.Mean;
    }
}
