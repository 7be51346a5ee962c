// The CPython 3.11 layout with its numbers in mutable static fields: the JIT cannot treat them as
// constants, so this is what the heap costs when its layout is configured at run time instead of
// by the generator. InitializeUsedPools is a loop instead of the generated unrolled table.
using Pymalloc.Runtime;

namespace Pymalloc.Benchmarks;

public readonly unsafe struct RuntimeLayout : IPymallocLayout
{
    // Not readonly: a static readonly field is a constant to the optimising JIT.
    private static int s_alignmentShift = 4;
    private static nuint s_threshold = 512;
    private static uint s_classes = 32;
    private static int s_poolShift = 14;
    private static uint s_poolOverhead = 48;
    private static int s_arenaBits = 20;
    private static uint s_maxPools = 64;

    public string Name => "runtime-configured CPython 3.11 layout";
    public int AlignmentShift => s_alignmentShift;
    public nuint SmallRequestThreshold => s_threshold;
    public uint NumSizeClasses => s_classes;
    public int PoolSizeShift => s_poolShift;
    public uint PoolOverhead => s_poolOverhead;
    public int ArenaBits => s_arenaBits;
    public uint MaxPoolsInArena => s_maxPools;
    public bool ChecksOwner => true;
    public bool LiveCounters => false;
    public bool Hardened => false;

    public void InitializeUsedPools(PoolHeader** usedPools)
    {
        for (int i = 0; i < (int)s_classes; i++)
        {
            usedPools[2 * i] = usedPools[2 * i + 1] = PoolHeader.PTA(usedPools, i);
        }
    }

    /// <summary>Writes to the fields once so no compiler can prove them constant.</summary>
    public static void Configure(int alignmentShift, nuint threshold)
    {
        s_alignmentShift = alignmentShift;
        s_threshold = threshold;
        s_classes = (uint)(threshold >> alignmentShift);
    }
}
