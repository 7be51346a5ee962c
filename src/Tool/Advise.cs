// pymalloc advise <trace>: replays a trace under the presets and a grid of candidate layouts and
// measures, for each, what the program would pay in memory and time; recommends one.
//
// The scoring (README, "Choosing a layout"): the layout with the smallest peak of memory mapped —
// arenas mapped plus raw blocks, at the moment their sum is largest — wins, because that is what
// a game's memory budget is checked against. Layouts within 1% of the best peak are ties, decided
// by fewer arenas mapped over the run (each map is a system call and page faults: thrashing), then
// by the faster replay. Raw blocks are counted as glibc's malloc would place them (a chunk of
// max(32, n + 8 rounded up to 16) bytes), so a layout that sends requests to the raw allocator
// pays for them too.
using System;
using System.Collections.Generic;
using System.Linq;
using Pymalloc.Generator;
using Pymalloc.Traces;

namespace Pymalloc.Tool;

internal static class Advise
{
    /// <summary>What one layout costs on one trace.</summary>
    public sealed record Measurement(
        LayoutConfig Layout,
        string Attribute,
        ulong PeakMappedBytes,
        ulong PeakArenaBytes,
        ulong PeakRawBytes,
        Losses AtPeak,
        Losses AtEnd,
        ulong ArenasMapped,
        ulong ArenasReleased,
        double PoolShare,
        double NanosecondsPerOp);

    /// <summary>Bytes mapped but not holding requested data, by cause (CPython's statistics' terms).</summary>
    public sealed record Losses(ulong Rounding, ulong PoolHeaders, ulong PoolTails, ulong FreeBlocksInUsedPools, ulong UnusedPools, ulong ArenaAlignment)
    {
        public ulong Total => Rounding + PoolHeaders + PoolTails + FreeBlocksInUsedPools + UnusedPools + ArenaAlignment;
    }

    /// <summary>The layouts tried: the presets, the trace's own, and a grid around them; each valid one once.</summary>
    public static IReadOnlyList<LayoutConfig> Candidates(LayoutConfig? recorded)
    {
        var all = new List<LayoutConfig>(LayoutModel.Presets);
        if (recorded is not null)
        {
            all.Add(recorded);
        }
        foreach (int alignment in new[] { 8, 16 })
        foreach (int pool in new[] { 4096, 16384, 65536 })
        foreach (int arena in new[] { 262144, 1048576, 4194304 })
        foreach (int threshold in new[] { 256, 512, 1024 })
        {
            all.Add(new LayoutConfig(alignment, pool, arena, threshold, "grid"));
        }
        return all
            .Where(c => LayoutModel.Validate(c).Length == 0)
            .GroupBy(c => (c.Alignment, c.PoolSize, c.ArenaSize, c.SmallRequestThreshold))
            .Select(g => g.OrderBy(c => c.PresetName == "grid" ? 1 : 0).First())
            .ToList();
    }

    /// <summary>Orders measurements best first, by the scoring above.</summary>
    public static IReadOnlyList<Measurement> Rank(IEnumerable<Measurement> measurements)
    {
        var list = measurements.ToList();
        ulong best = list.Min(m => m.PeakMappedBytes);
        return list
            .OrderBy(m => m.PeakMappedBytes <= best + best / 100 ? 0 : 1)
            .ThenBy(m => m.PeakMappedBytes <= best + best / 100 ? 0 : m.PeakMappedBytes)
            .ThenBy(m => m.ArenasMapped)
            .ThenBy(m => m.NanosecondsPerOp)
            .ToList();
    }

    /// <summary>The recommendation in one sentence, against CPython 3.11's layout (the default).</summary>
    public static string Reason(Measurement best, Measurement baseline)
    {
        if (best.Layout == baseline.Layout)
        {
            return $"The default layout (CPython 3.11's) is already the best for this trace: {Kib(best.PeakMappedBytes)} mapped at peak, {best.ArenasMapped} arena maps.";
        }
        double saved = 1 - best.PeakMappedBytes / (double)baseline.PeakMappedBytes;
        return saved > 0.01
            ? $"It maps {Kib(best.PeakMappedBytes)} at peak, {saved:P0} less than CPython 3.11's layout ({Kib(baseline.PeakMappedBytes)}), with {best.ArenasMapped} arena maps against {baseline.ArenasMapped}."
            : $"It maps as much as CPython 3.11's layout at peak ({Kib(best.PeakMappedBytes)}) with fewer arena maps ({best.ArenasMapped} against {baseline.ArenasMapped}) or a faster replay.";
    }

    public static string Kib(ulong bytes) => $"{bytes / 1024.0:N0} KiB";

    /// <summary>Replays <paramref name="trace"/> under <paramref name="layout"/> twice: once through, measuring,
    /// and once up to the peak, for the losses there.</summary>
    public static Measurement Measure(AllocationTrace trace, LayoutConfig layout)
    {
        var model = new LayoutModel(layout);
        LayoutReplay.Observed full = LayoutReplay.Observe(trace, layout, stopAfter: -1);
        LayoutReplay.Observed peak = LayoutReplay.Observe(trace, layout, stopAfter: full.PeakOp);
        return new Measurement(
            layout,
            LayoutChoice.Attribute(layout),
            full.PeakMappedBytes,
            peak.ArenaBytes,
            peak.RawBytes,
            LossesOf(peak, model),
            LossesOf(full, model),
            full.Stats.ArenasAllocatedTotal,
            full.Stats.ArenasReclaimed,
            full.PoolRequests / (double)Math.Max(1, full.Requests),
            full.Elapsed.TotalNanoseconds / trace.Ops.Length);
    }

    private static Losses LossesOf(LayoutReplay.Observed o, LayoutModel m)
    {
        ulong headers = 0, tails = 0, free = 0;
        foreach (SizeClassStats c in o.Stats.SizeClasses)
        {
            headers += c.Pools * (ulong)m.PoolOverhead;
            tails += c.Pools * (ulong)m.QuantizationPerPool((int)c.Index);
            free += c.AvailableBlocks * c.BlockSize;
        }
        return new Losses(o.RoundingBytes, headers, tails, free, o.Stats.UnusedPools * (ulong)m.PoolSize, o.Stats.ArenaAlignmentBytes);
    }
}
