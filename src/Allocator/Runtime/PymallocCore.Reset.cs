// Reset: empty a heap in one sweep while keeping its arenas mapped — a frame or scene allocator's
// "free everything". Every pool goes back to uncarved; the arenas all become wholly free and are
// relinked into usable_arenas in the order pymalloc keeps (free pools ascending). Raw blocks are
// freed too, and frees handed over by other threads are settled first, so none lands in a pool
// that no longer holds its block.
namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>Frees every block of <paramref name="heap"/> at once — pool blocks by resetting the pools,
    /// keeping the arenas for reuse, and raw blocks (0 bytes, above the threshold) through the raw
    /// allocator. Frees other threads handed over before the reset are settled, not replayed later.</summary>
    internal static void ResetHeap(HeapState* heap)
    {
        ReleaseBlocks(heap);
        default(TLayout).InitializeUsedPools(HeapState.UsedPools(heap));
        for (uint n = 0; n <= default(TLayout).MaxPoolsInArena; n++)
        {
            heap->Nfp2Lasta[n] = null;
        }
        heap->UsableArenas = null;
        heap->PoolsInUse = 0;
        heap->PoolBlockBytes = 0;
        heap->BytesInBlocks = 0;
        // Arenas that lost a pool to alignment have one free pool fewer: they sort first.
        for (uint pass = 0; pass < 2; pass++)
        {
            foreach (ArenaObject* a in Arenas(heap))
            {
                if (a->NTotalPools == 0 || (pass == 0) != (a->NTotalPools < default(TLayout).MaxPoolsInArena))
                {
                    continue;
                }
                a->PoolAddress = (byte*)FirstPool(a);
                a->NFreePools = a->NTotalPools;
                a->FreePools = null;
                // Append: the list stays sorted, and each arena is the rightmost with its count so far.
                a->NextArena = null;
                a->PrevArena = heap->Nfp2Lasta[0];
                if (heap->Nfp2Lasta[0] == null)
                {
                    heap->UsableArenas = a;
                }
                else
                {
                    heap->Nfp2Lasta[0]->NextArena = a;
                }
                heap->Nfp2Lasta[0] = a; // the tail while building
                heap->Nfp2Lasta[a->NTotalPools] = a;
            }
        }
        heap->Nfp2Lasta[0] = null; // no usable arena has 0 free pools
    }
}
