// GameLoop: the same fixed-step simulation on three allocators, timing every frame.
//   dotnet run --project samples/GameLoop -c Release [-- --frames N] [--csv frames.csv] [--png frames.png]
//       [--record gameloop.trace.gz]   (the Pymalloc.NET world's calls, for `pymalloc advise`)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using GameLoop;
using Pymalloc;
using Spectre.Console;

[assembly: PymallocConfig]

int frames = 1800;
string? csv = null, png = null, record = null;
for (int i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--frames": frames = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--csv": csv = args[++i]; break;
        case "--png": png = args[++i]; break;
        case "--record": record = args[++i]; break;
    }
}

var runs = new List<(string Name, double[] FrameMs, int[] Collections, string Stats)>();
Func<IWorld>[] worlds = { () => new PymallocWorld(record), () => new GcWorld(), () => new NativeWorld() };
AnsiConsole.Progress().Start(progress =>
{
    foreach (Func<IWorld> create in worlds)
    {
        using IWorld world = create();
        ProgressTask task = progress.AddTask(world.Name, maxValue: frames);
        for (int f = 0; f < 120; f++)
        {
            world.Frame(f); // warm-up: JIT, first arenas, GC heap growth
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new double[frames];
        int[] before = { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        long tick = Stopwatch.GetTimestamp();
        for (int f = 0; f < frames; f++)
        {
            world.Frame(120 + f);
            long now = Stopwatch.GetTimestamp();
            times[f] = (now - tick) * 1000.0 / Stopwatch.Frequency;
            tick = now;
            if ((f & 63) == 0)
            {
                task.Value = f;
            }
        }
        int[] collections = { GC.CollectionCount(0) - before[0], GC.CollectionCount(1) - before[1], GC.CollectionCount(2) - before[2] };
        task.Value = frames;
        runs.Add((world.Name, times, collections, world.Stats()));
    }
});

var table = new Table().Title($"{frames:N0} frames, every one timed")
    .AddColumns("allocator", "p50 ms", "p99 ms", "max ms", "GC gen0/1/2 in the loop", "memory at the end");
foreach ((string name, double[] t, int[] c, string stats) in runs)
{
    double[] sorted = t.Order().ToArray();
    table.AddRow(name, P(sorted, 0.50), P(sorted, 0.99), sorted[^1].ToString("F3", CultureInfo.InvariantCulture), $"{c[0]}/{c[1]}/{c[2]}", stats);
}
AnsiConsole.Write(table);

if (csv is not null)
{
    using var w = new StreamWriter(csv);
    w.WriteLine("frame," + string.Join(",", runs.Select(r => r.Name)));
    for (int f = 0; f < frames; f++)
    {
        w.WriteLine(f.ToString(CultureInfo.InvariantCulture) + "," + string.Join(",", runs.Select(r => r.FrameMs[f].ToString("F4", CultureInfo.InvariantCulture))));
    }
    AnsiConsole.MarkupLine($"frame times written to {Markup.Escape(csv)}");
}
if (png is not null)
{
    var plot = new ScottPlot.Plot();
    foreach ((string name, double[] t, _, _) in runs)
    {
        var line = plot.Add.Signal(t);
        line.LegendText = name;
    }
    plot.Title("Frame time by allocator (lower and flatter is better)");
    plot.XLabel("frame");
    plot.YLabel("ms");
    plot.ShowLegend(ScottPlot.Alignment.UpperRight);
    plot.SavePng(png, 1200, 500);
    AnsiConsole.MarkupLine($"chart written to {Markup.Escape(png)}");
}
return 0;

static string P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))].ToString("F3", CultureInfo.InvariantCulture);
