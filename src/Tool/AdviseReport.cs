// advise's table: one row per layout, best first, CPython 3.11's default always shown.
using System.Collections.Generic;
using System.Linq;
using Spectre.Console;

namespace Pymalloc.Tool;

internal static class AdviseReport
{
    public static void Write(IAnsiConsole console, IReadOnlyList<Advise.Measurement> ranked, Advise.Measurement baseline, int top)
    {
        var table = new Table().Title("Layouts, best first (peak mapped; ties within 1% by arena maps, then speed)")
            .AddColumns("#", "layout (align/pool/arena/threshold)", "peak mapped", "arenas", "raw", "lost at peak", "lost at end", "arena maps/releases", "pool share", "ns/op");
        IEnumerable<(Advise.Measurement M, int Rank)> rows = ranked.Select((m, i) => (m, i + 1)).Take(top);
        if (!rows.Any(r => r.M == baseline))
        {
            rows = rows.Append((baseline, ranked.ToList().IndexOf(baseline) + 1));
        }
        foreach ((Advise.Measurement m, int rank) in rows)
        {
            string name = $"{m.Layout.Alignment}/{Size(m.Layout.PoolSize)}/{Size(m.Layout.ArenaSize)}/{m.Layout.SmallRequestThreshold}"
                + (m.Layout.PresetName == "grid" ? "" : $" ({m.Layout.PresetName})");
            table.AddRow($"{rank}", Markup.Escape(name), Advise.Kib(m.PeakMappedBytes), Advise.Kib(m.PeakArenaBytes), Advise.Kib(m.PeakRawBytes),
                Advise.Kib(m.AtPeak.Total), Advise.Kib(m.AtEnd.Total), $"{m.ArenasMapped}/{m.ArenasReleased}", $"{m.PoolShare:P1}", $"{m.NanosecondsPerOp:F0}");
        }
        console.Write(table);
    }

    private static string Size(int bytes) => bytes >= 1 << 20 ? $"{bytes >> 20}M" : $"{bytes >> 10}K";
}
