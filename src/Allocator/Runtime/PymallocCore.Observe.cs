// Figures an observer reads (meters, dashboards) that the fast paths do not keep: unless the layout
// opts into live counters, the bytes in allocated blocks are derived by walking the carved pools —
// about a microsecond per arena, paid by the reader about once a second, not by every allocation.
// The walk may run on any thread while the owner allocates: it holds the arena lock, so no arena is
// unmapped and the arena array is not replaced under it, and it reads pool headers as racy
// snapshots (a value out of range is skipped). The result is a moment's figure, never a crash.
namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>Bytes in allocated pool blocks (block sizes): the live counter with <c>LiveCounters</c>,
    /// otherwise the sum over the pools in use of blocks in use times the block size. Any thread.</summary>
    internal static nuint BytesInBlocks(HeapState* heap)
    {
        if (default(TLayout).LiveCounters)
        {
            return System.Threading.Volatile.Read(ref heap->BytesInBlocks);
        }
        nuint bytes = 0;
        LockArenas(heap);
        try
        {
            foreach (ArenaObject* arena in Arenas(heap))
            {
                foreach (PoolHeader* header in CarvedPools(arena))
                {
                    uint index = header->SizeIndex, used = header->Count;
                    if (index < default(TLayout).NumSizeClasses && used <= BlocksPerPool(index))
                    {
                        bytes += (nuint)used * BlockSize(index);
                    }
                }
            }
        }
        finally
        {
            UnlockArenas(heap);
        }
        return bytes;
    }
}
