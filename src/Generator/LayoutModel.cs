// The layout rules (what the PYM001-PYM006 diagnostics enforce, and their words), the presets, and
// the numbers derived from a valid configuration, as obmalloc.c derives them from its macros.
// No Roslyn type here: the pymalloc tool (src/Tool) compiles this file too, so that a layout given
// on its command line is judged by the very rules and words of the compile-time diagnostics.
using System.Collections.Generic;
using System.Collections.Immutable;

namespace Pymalloc.Generator;

/// <summary>The four numbers of a layout, as configured (preset defaults applied), and the preset they started from.</summary>
internal sealed record LayoutConfig(int Alignment, int PoolSize, int ArenaSize, int SmallRequestThreshold, string PresetName);

/// <summary>A validated layout and everything derived from it.</summary>
internal sealed class LayoutModel
{
    /// <summary>sizeof(struct pool_header) on 64-bit; must match Pymalloc.Runtime.PoolHeader.Size (SharedConstantsTests).</summary>
    public const int PoolHeaderSize = 48;

    /// <summary>The usedpools table's capacity; must match Pymalloc.Runtime.HeapState.MaxSizeClasses (SharedConstantsTests).</summary>
    public const int MaxSizeClasses = 64;

    /// <summary>The presets, by PymallocPreset value; the sources are cited on PymallocPreset.</summary>
    public static readonly LayoutConfig[] Presets =
    {
        new(16, 16384, 1048576, 512, "CPython 3.11"),   // CPython311 = 0
        new(16, 4096, 262144, 512, "CPython 3.8"),      // CPython38 = 1
        new(8, 4096, 262144, 256, "CPython 2.7"),       // CPython27 = 2
        new(16, 4096, 262144, 256, "CPython 2.7.18"),   // CPython2718 = 3
    };

    /// <summary>The words of each layout rule, with the arguments <see cref="Validate"/> gives.</summary>
    public static string RuleMessage(string id) => id switch
    {
        "PYM001" => "Alignment = {0} is invalid: it must be a power of two and at least 8 (a free block holds a pointer)",
        "PYM002" => "PoolSize = {0} is invalid: it must be a power of two of at least 4096 and a multiple of Alignment ({1})",
        "PYM003" => "ArenaSize = {0} is invalid: it must be a power of two, at least PoolSize ({1}) so it holds a pool, and at most 1073741824",
        "PYM004" => "SmallRequestThreshold = {0} is invalid: it must be a positive multiple of Alignment ({1})",
        "PYM005" => "SmallRequestThreshold = {0} is too large: a pool of {1} bytes must hold two blocks of the largest class after its {2}-byte header (at most {3})",
        "PYM006" => "SmallRequestThreshold = {0} with Alignment = {1} gives {2} size classes; the usedpools table holds at most 64",
        _ => throw new System.ArgumentOutOfRangeException(nameof(id), id, "not a layout rule"),
    };

    public LayoutModel(LayoutConfig config)
    {
        Config = config;
        AlignmentShift = Log2(config.Alignment);
        PoolSizeShift = Log2(config.PoolSize);
        ArenaBits = Log2(config.ArenaSize);
        NumSizeClasses = config.SmallRequestThreshold >> AlignmentShift;
        PoolOverhead = RoundUp(PoolHeaderSize, config.Alignment);
        MaxPoolsInArena = config.ArenaSize / config.PoolSize;
    }

    public LayoutConfig Config { get; }
    public int Alignment => Config.Alignment;
    public int AlignmentShift { get; }
    public int SmallRequestThreshold => Config.SmallRequestThreshold;
    public int NumSizeClasses { get; }
    public int PoolSize => Config.PoolSize;
    public int PoolSizeShift { get; }
    public int PoolOverhead { get; }
    public int ArenaSize => Config.ArenaSize;
    public int ArenaBits { get; }
    public int MaxPoolsInArena { get; }

    /// <summary>INDEX2SIZE.</summary>
    public int BlockSize(int index) => (index + 1) << AlignmentShift;

    /// <summary>NUMBLOCKS.</summary>
    public int BlocksPerPool(int index) => (PoolSize - PoolOverhead) / BlockSize(index);

    /// <summary>Bytes at the end of a pool too small for another block.</summary>
    public int QuantizationPerPool(int index) => (PoolSize - PoolOverhead) % BlockSize(index);

    /// <summary>The first byte count of a class.</summary>
    public int FirstRequest(int index) => (index << AlignmentShift) + 1;

    /// <summary>Checks a configuration; returns the violated rules as (descriptor id, property, arguments).</summary>
    public static ImmutableArray<(string Id, string Property, string[] Args)> Validate(LayoutConfig c)
    {
        var errors = new List<(string, string, string[])>();
        bool alignmentOk = IsPowerOfTwo(c.Alignment) && c.Alignment >= 8;
        if (!alignmentOk)
        {
            errors.Add(("PYM001", "Alignment", new[] { S(c.Alignment) }));
        }
        bool poolOk = IsPowerOfTwo(c.PoolSize) && c.PoolSize >= 4096 && (!alignmentOk || c.PoolSize % c.Alignment == 0);
        if (!poolOk)
        {
            errors.Add(("PYM002", "PoolSize", new[] { S(c.PoolSize), S(c.Alignment) }));
        }
        if (!IsPowerOfTwo(c.ArenaSize) || c.ArenaSize > (1 << 30) || (poolOk && c.ArenaSize < c.PoolSize))
        {
            errors.Add(("PYM003", "ArenaSize", new[] { S(c.ArenaSize), S(c.PoolSize) }));
        }
        if (!alignmentOk)
        {
            return errors.ToImmutableArray();
        }
        if (c.SmallRequestThreshold <= 0 || c.SmallRequestThreshold % c.Alignment != 0)
        {
            errors.Add(("PYM004", "SmallRequestThreshold", new[] { S(c.SmallRequestThreshold), S(c.Alignment) }));
            return errors.ToImmutableArray();
        }
        int classes = c.SmallRequestThreshold / c.Alignment;
        if (classes > MaxSizeClasses)
        {
            errors.Add(("PYM006", "SmallRequestThreshold", new[] { S(c.SmallRequestThreshold), S(c.Alignment), S(classes) }));
        }
        if (poolOk)
        {
            // A fresh pool hands out its first block and threads its second onto the free list
            // unconditionally, so two blocks of every class must fit after the header.
            int overhead = RoundUp(PoolHeaderSize, c.Alignment);
            int max = (c.PoolSize - overhead) / 2 / c.Alignment * c.Alignment;
            if (c.SmallRequestThreshold > max)
            {
                errors.Add(("PYM005", "SmallRequestThreshold", new[] { S(c.SmallRequestThreshold), S(c.PoolSize), S(overhead), S(max) }));
            }
        }
        return errors.ToImmutableArray();
    }

    private static string S(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsPowerOfTwo(int x) => x > 0 && (x & (x - 1)) == 0;

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static int Log2(int x)
    {
        int n = 0;
        while ((1 << (n + 1)) <= x && n < 30)
        {
            n++;
        }
        return n;
    }
}
