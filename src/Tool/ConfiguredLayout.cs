// A layout chosen at run time: what the tool replays traces under. The numbers live in static
// fields of ConfiguredLayout<TSlot>, and every distinct TSlot is a distinct struct type with fields
// of its own (static fields are per instantiation), so one process can hold any number of layouts
// at once, each a separate copy of the core. Slower than a generated layout (the numbers are loads,
// not immediates), and the same decisions: the statistics do not depend on speed.
using System;
using Pymalloc.Generator;
using Pymalloc.Runtime;

namespace Pymalloc.Tool;

/// <summary>A layout whose numbers are set once, before its first heap, by <see cref="Configure"/>.</summary>
internal readonly unsafe struct ConfiguredLayout<TSlot> : IPymallocLayout where TSlot : struct
{
    private static string s_name = "";
    private static int s_alignmentShift, s_poolSizeShift, s_arenaBits;
    private static nuint s_threshold;
    private static uint s_classes, s_poolOverhead, s_maxPools;

    public string Name => s_name;
    public int AlignmentShift => s_alignmentShift;
    public nuint SmallRequestThreshold => s_threshold;
    public uint NumSizeClasses => s_classes;
    public int PoolSizeShift => s_poolSizeShift;
    public uint PoolOverhead => s_poolOverhead;
    public int ArenaBits => s_arenaBits;
    public uint MaxPoolsInArena => s_maxPools;

    // A replay is one thread's; the owner check would only cost time.
    public bool ChecksOwner => false;
    public bool LiveCounters => false;
    public bool Hardened => false;

    public void InitializeUsedPools(PoolHeader** usedPools)
    {
        for (int i = 0; i < (int)s_classes; i++)
        {
            usedPools[2 * i] = usedPools[2 * i + 1] = PoolHeader.PTA(usedPools, i);
        }
    }

    public static void Configure(LayoutModel m, string name)
    {
        s_name = name;
        s_alignmentShift = m.AlignmentShift;
        s_threshold = (nuint)m.SmallRequestThreshold;
        s_classes = (uint)m.NumSizeClasses;
        s_poolSizeShift = m.PoolSizeShift;
        s_poolOverhead = (uint)m.PoolOverhead;
        s_arenaBits = m.ArenaBits;
        s_maxPools = (uint)m.MaxPoolsInArena;
    }
}

/// <summary>The first slot type.</summary>
internal struct Slot
{
}

/// <summary>The slot after <typeparamref name="T"/>.</summary>
internal struct Next<T> where T : struct
{
}

/// <summary>Hands out a fresh ConfiguredLayout type per layout.</summary>
internal static class LayoutSlots
{
    private static Type s_next = typeof(Slot);

    public static Type Take()
    {
        lock (typeof(LayoutSlots))
        {
            Type layout = typeof(ConfiguredLayout<>).MakeGenericType(s_next);
            s_next = typeof(Next<>).MakeGenericType(s_next);
            return layout;
        }
    }
}
