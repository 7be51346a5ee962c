// A snapshot of a heap's statistics, and the text CPython's _PyObject_DebugMallocStats prints for
// the same state. Gathered by walking every arena and pool (full pools are in no list), so it
// costs time proportional to the heap: call it to inspect, not per frame.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Pymalloc.Runtime; // StringBuilderShim on netstandard2.1

namespace Pymalloc;

/// <summary>One row of the per-class table.</summary>
/// <param name="Index">Size class index.</param>
/// <param name="BlockSize">Bytes per block.</param>
/// <param name="Pools">Pools holding at least one block of this class.</param>
/// <param name="BlocksInUse">Allocated blocks.</param>
/// <param name="AvailableBlocks">Free blocks in those pools (on free lists or not yet carved).</param>
/// <param name="BlocksPerPool">Blocks one pool of this class holds.</param>
public readonly record struct SizeClassStats(
    uint Index, uint BlockSize, ulong Pools, ulong BlocksInUse, ulong AvailableBlocks, uint BlocksPerPool);

/// <summary>The statistics of one heap, as <c>_PyObject_DebugMallocStats</c> computes them.</summary>
public sealed class MallocStats
{
    /// <summary>Name of the layout.</summary>
    public required string LayoutName { get; init; }

    /// <summary>SMALL_REQUEST_THRESHOLD.</summary>
    public required uint SmallRequestThreshold { get; init; }

    /// <summary>POOL_SIZE.</summary>
    public required ulong PoolSize { get; init; }

    /// <summary>ARENA_SIZE.</summary>
    public required ulong ArenaSize { get; init; }

    /// <summary>POOL_OVERHEAD.</summary>
    public required ulong PoolOverhead { get; init; }

    /// <summary>One row per size class, in class order, including classes with no pool.</summary>
    public required IReadOnlyList<SizeClassStats> SizeClasses { get; init; }

    /// <summary>Arenas mapped over the heap's life.</summary>
    public required ulong ArenasAllocatedTotal { get; init; }

    /// <summary>Arenas mapped now.</summary>
    public required ulong ArenasAllocatedCurrent { get; init; }

    /// <summary>Arenas released so far.</summary>
    public ulong ArenasReclaimed => ArenasAllocatedTotal - ArenasAllocatedCurrent;

    /// <summary>Most arenas mapped at once.</summary>
    public required ulong ArenasHighwater { get; init; }

    /// <summary>Free pools: empty ones plus those not yet carved.</summary>
    public required ulong UnusedPools { get; init; }

    /// <summary>Bytes lost because arenas did not start on a pool boundary.</summary>
    public required ulong ArenaAlignmentBytes { get; init; }

    /// <summary>Blocks currently held by the raw allocator on this heap's behalf.</summary>
    public required long RawAllocatedBlocks { get; init; }

    /// <summary>Mid nodes of the arena map.</summary>
    public required ulong ArenaMapMidNodes { get; init; }

    /// <summary>Bottom nodes of the arena map.</summary>
    public required ulong ArenaMapBotNodes { get; init; }

    /// <summary>Bytes of the arena map's root, of one mid node and of one bottom node.</summary>
    public required (ulong Root, ulong Mid, ulong Bot) ArenaMapNodeBytes { get; init; }

    /// <summary>Bytes in allocated blocks.</summary>
    public ulong AllocatedBytes => Sum(static c => c.BlocksInUse * c.BlockSize);

    /// <summary>Bytes in free blocks of used pools.</summary>
    public ulong AvailableBytes => Sum(static c => c.AvailableBlocks * c.BlockSize);

    /// <summary>Bytes of pool headers in used and full pools.</summary>
    public ulong PoolHeaderBytes => Sum(c => c.Pools * PoolOverhead);

    /// <summary>Bytes at the ends of used and full pools too small for another block.</summary>
    public ulong QuantizationBytes => Sum(c => c.Pools * ((PoolSize - PoolOverhead) % c.BlockSize));

    /// <summary>Allocated blocks over all classes.</summary>
    public ulong BlocksInUse => Sum(static c => c.BlocksInUse);

    /// <summary>Pools in use (used or full) over all classes.</summary>
    public ulong PoolsInUse => Sum(static c => c.Pools);

    private ulong Sum(Func<SizeClassStats, ulong> f)
    {
        ulong total = 0;
        foreach (SizeClassStats c in SizeClasses)
        {
            total += f(c);
        }
        return total;
    }

    /// <summary>
    /// Writes the text of CPython's <c>_PyObject_DebugMallocStats</c>: identical, line for line,
    /// through the first <c>Total</c>. The arena-map section after it describes this heap's own map.
    /// Lines end with <c>\n</c> on every platform, as in CPython.
    /// </summary>
    public void WriteTo(TextWriter writer)
    {
        if (writer is null)
        {
            throw new ArgumentNullException(nameof(writer));
        }
        var s = new StringBuilder(4096);
        s.Append(CultureInfo.InvariantCulture, $"Small block threshold = {SmallRequestThreshold}, in {SizeClasses.Count} size classes.\n");
        s.Append('\n');
        s.Append("class   size   num pools   blocks in use  avail blocks\n");
        s.Append("-----   ----   ---------   -------------  ------------\n");
        foreach (SizeClassStats c in SizeClasses)
        {
            if (c.Pools == 0)
            {
                continue;
            }
            s.Append(CultureInfo.InvariantCulture, $"{c.Index,5} {c.BlockSize,6} {c.Pools,11} {c.BlocksInUse,15} {c.AvailableBlocks,13}\n");
        }
        s.Append('\n');
        PrintOne(s, "# arenas allocated total", ArenasAllocatedTotal);
        PrintOne(s, "# arenas reclaimed", ArenasReclaimed);
        PrintOne(s, "# arenas highwater mark", ArenasHighwater);
        PrintOne(s, "# arenas allocated current", ArenasAllocatedCurrent);
        PrintOne(s, FormattableString.Invariant($"{ArenasAllocatedCurrent} arenas * {ArenaSize} bytes/arena"), ArenasAllocatedCurrent * ArenaSize);
        s.Append('\n');
        ulong total = PrintOne(s, "# bytes in allocated blocks", AllocatedBytes);
        total += PrintOne(s, "# bytes in available blocks", AvailableBytes);
        total += PrintOne(s, FormattableString.Invariant($"{UnusedPools} unused pools * {PoolSize} bytes"), UnusedPools * PoolSize);
        total += PrintOne(s, "# bytes lost to pool headers", PoolHeaderBytes);
        total += PrintOne(s, "# bytes lost to quantization", QuantizationBytes);
        total += PrintOne(s, "# bytes lost to arena alignment", ArenaAlignmentBytes);
        PrintOne(s, "Total", total);

        s.Append("\narena map counts\n");
        PrintOne(s, "# arena map mid nodes", ArenaMapMidNodes);
        PrintOne(s, "# arena map bot nodes", ArenaMapBotNodes);
        s.Append('\n');
        total = PrintOne(s, "# bytes lost to arena map root", ArenaMapNodeBytes.Root);
        total += PrintOne(s, "# bytes lost to arena map mid", ArenaMapNodeBytes.Mid * ArenaMapMidNodes);
        total += PrintOne(s, "# bytes lost to arena map bot", ArenaMapNodeBytes.Bot * ArenaMapBotNodes);
        PrintOne(s, "Total", total);
        writer.Write(s.ToString());
    }

    /// <summary>The statistics text (see <see cref="WriteTo"/>).</summary>
    public override string ToString()
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(w);
        return w.ToString();
    }

    // obmalloc's printone: the label padded to 35 columns, '=', the value with thousands
    // separators right-aligned in 21 columns.
    private static ulong PrintOne(StringBuilder s, string label, ulong value)
    {
        s.Append(label);
        s.Append(' ', Math.Max(0, 35 - label.Length));
        s.Append('=');
        string digits = value.ToString("N0", CultureInfo.InvariantCulture);
        s.Append(' ', Math.Max(0, 21 - digits.Length));
        s.Append(digits);
        s.Append('\n');
        return value;
    }
}
