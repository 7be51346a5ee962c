// Charts of a full run for docs/benchmarks.md: trace replay and batches, ns per op by allocator.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Reports;
using ScottPlot;

namespace Pymalloc.Benchmarks;

internal static class Charts
{
    public static void Write(Summary[] summaries)
    {
        string? docs = FindDocs();
        if (docs is null)
        {
            return;
        }
        var cases = summaries.SelectMany(s => s.BenchmarksCases.Select(c => (Summary: s, Case: c))).ToList();

        var replay = cases.Where(x => x.Case.Parameters["Trace"] is string).ToList();
        if (replay.Count > 0)
        {
            Grouped(Path.Combine(docs, "benchmarks-replay.png"), "Trace replay: ns per operation (lower is better)",
                replay.Select(x => ((string)x.Case.Parameters["Trace"], x.Case.Descriptor.WorkloadMethod.Name, NsPerTraceOpColumn.NsPerOp(x.Summary, x.Case))));
        }
        var batches = cases.Where(x => x.Case.Parameters["Order"] is FreeOrder.Shuffled).ToList();
        if (batches.Count > 0)
        {
            Grouped(Path.Combine(docs, "benchmarks-batches.png"), "Batches of 1,000, freed shuffled: ns per alloc+free (lower is better)",
                batches.Select(x => ($"{x.Case.Parameters["Size"]} B", x.Case.Descriptor.WorkloadMethod.Name, NsPerTraceOpColumn.NsPerOp(x.Summary, x.Case))));
        }
    }

    /// <summary>Redraws the charts from a results folder's CSV reports (a finished full run), without running anything.</summary>
    public static void WriteFromCsv(string results)
    {
        string? docs = FindDocs();
        if (docs is null)
        {
            return;
        }
        var replay = ReadCsv(Path.Combine(results, "Pymalloc.Benchmarks.TraceReplayBenchmarks-report.csv"));
        Grouped(Path.Combine(docs, "benchmarks-replay.png"), "Trace replay: ns per operation (lower is better)",
            replay.Select(r => (r["Trace"], r["Method"], Number(r["ns/op"]))));
        var batches = ReadCsv(Path.Combine(results, "Pymalloc.Benchmarks.BatchBenchmarks-report.csv")).Where(r => r["Order"] == "Shuffled");
        Grouped(Path.Combine(docs, "benchmarks-batches.png"), "Batches of 1,000, freed shuffled: ns per alloc+free (lower is better)",
            batches.Select(r => ($"{r["Size"]} B", r["Method"], Number(r["ns/op"]))));
    }

    private static double? Number(string text) => double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : null;

    // BenchmarkDotNet's CSV: a header row, then one row per case; fields with commas are quoted.
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = Fields(lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            string[] f = Fields(l);
            return header.Select((h, i) => (h, v: i < f.Length ? f[i] : "")).ToDictionary(x => x.h, x => x.v);
        }).ToList();
    }

    private static string[] Fields(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString());
        return fields.ToArray();
    }

    private static void Grouped(string path, string title, IEnumerable<(string Group, string Series, double? Value)> points)
    {
        var data = points.Where(p => p.Value is not null).ToList();
        string[] groups = data.Select(p => p.Group).Distinct().ToArray();
        string[] series = data.Select(p => p.Series).Distinct().ToArray();
        var plot = new Plot();
        Color[] palette = new ScottPlot.Palettes.Category10().Colors;
        double width = 0.8 / series.Length;
        for (int s = 0; s < series.Length; s++)
        {
            var bars = new List<Bar>();
            for (int g = 0; g < groups.Length; g++)
            {
                var hit = data.Where(p => p.Group == groups[g] && p.Series == series[s]).ToList();
                if (hit.Count == 1)
                {
                    bars.Add(new Bar { Position = g + (s - (series.Length - 1) / 2.0) * width, Value = hit[0].Value!.Value, Size = width * 0.95, FillColor = palette[s % palette.Length] });
                }
            }
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = series[s];
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, groups.Length).Select(i => (double)i).ToArray(), groups);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("ns per op");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1200, 600);
        Console.WriteLine($"chart: {path}");
    }

    private static string? FindDocs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pymalloc.sln")))
            {
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "docs")).FullName;
            }
        }
        return null;
    }
}
