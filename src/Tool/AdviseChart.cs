// advise --png: the table's peak as a chart, one stacked bar per layout (arenas mapped, raw blocks)
// in rank order, with the lost bytes at the peak beside it, so the trade-offs show at a glance.
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace Pymalloc.Tool;

internal static class AdviseChart
{
    public static void Write(string path, IReadOnlyList<Advise.Measurement> ranked, Advise.Measurement baseline, int top)
    {
        List<Advise.Measurement> shown = ranked.Take(top).ToList();
        if (!shown.Contains(baseline))
        {
            shown.Add(baseline);
        }
        var plot = new Plot();
        Color[] palette = new ScottPlot.Palettes.Category10().Colors;
        var arenas = new List<Bar>();
        var raw = new List<Bar>();
        var lost = new List<Bar>();
        for (int i = 0; i < shown.Count; i++)
        {
            Advise.Measurement m = shown[i];
            double arenaKib = m.PeakArenaBytes / 1024.0, rawKib = m.PeakRawBytes / 1024.0;
            arenas.Add(new Bar { Position = i - 0.2, Value = arenaKib, Size = 0.38, FillColor = palette[0] });
            raw.Add(new Bar { Position = i - 0.2, ValueBase = arenaKib, Value = arenaKib + rawKib, Size = 0.38, FillColor = palette[1] });
            lost.Add(new Bar { Position = i + 0.2, Value = m.AtPeak.Total / 1024.0, Size = 0.38, FillColor = palette[3] });
        }
        plot.Add.Bars(arenas).LegendText = "arenas mapped at peak";
        plot.Add.Bars(raw).LegendText = "raw blocks at peak";
        plot.Add.Bars(lost).LegendText = "lost at peak";
        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, shown.Count).Select(i => (double)i).ToArray(),
            shown.Select(m => $"{m.Layout.Alignment}/{m.Layout.PoolSize >> 10}K/{m.Layout.ArenaSize >> 10}K/{m.Layout.SmallRequestThreshold}"
                + (m.Layout.PresetName == "grid" ? "" : "\n" + m.Layout.PresetName)).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("pymalloc advise: memory at the peak by layout (align/pool/arena/threshold), best first");
        plot.YLabel("KiB");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1400, 600);
    }
}
