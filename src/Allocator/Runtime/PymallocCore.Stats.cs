// Gathering _PyObject_DebugMallocStats' numbers: full pools are linked from nowhere, so walk every
// arena's carved pools and count by the headers.
namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>A snapshot of <paramref name="heap"/>'s statistics.</summary>
    public static MallocStats GetStats(HeapState* heap)
    {
        uint classes = default(TLayout).NumSizeClasses;
        var pools = new ulong[classes];
        var blocks = new ulong[classes];
        var free = new ulong[classes];
        ulong arenas = 0, unusedPools = 0, alignment = 0;

        foreach (ArenaObject* arena in Arenas(heap))
        {
            arenas++;
            unusedPools += arena->NFreePools;
            if ((arena->Address & PoolSizeMask) != 0)
            {
                alignment += PoolSize; // the partial pools at both ends
            }
            foreach (PoolHeader* header in CarvedPools(arena))
            {
                if (header->Count == 0)
                {
                    continue; // empty, on the arena's freepools
                }
                uint sz = header->SizeIndex;
                pools[sz]++;
                blocks[sz] += header->Count;
                free[sz] += BlocksPerPool(sz) - header->Count;
            }
        }

        var rows = new SizeClassStats[classes];
        for (uint c = 0; c < classes; c++)
        {
            rows[c] = new SizeClassStats(c, BlockSize(c), pools[c], blocks[c], free[c], BlocksPerPool(c));
        }
        return new MallocStats
        {
            LayoutName = default(TLayout).Name,
            SmallRequestThreshold = (uint)default(TLayout).SmallRequestThreshold,
            PoolSize = PoolSize,
            ArenaSize = ArenaSize,
            PoolOverhead = default(TLayout).PoolOverhead,
            SizeClasses = rows,
            ArenasAllocatedTotal = heap->TimesArenaAllocated,
            ArenasAllocatedCurrent = arenas,
            ArenasHighwater = heap->ArenasHighwater,
            UnusedPools = unusedPools,
            ArenaAlignmentBytes = alignment,
            RawAllocatedBlocks = heap->RawAllocatedBlocks,
            ArenaMapMidNodes = heap->Map.MidCount,
            ArenaMapBotNodes = heap->Map.BotCount,
            ArenaMapNodeBytes = (ArenaMap<TLayout>.InteriorNodeBytes, ArenaMap<TLayout>.InteriorNodeBytes, ArenaMap<TLayout>.BotNodeBytes),
        };
    }
}
