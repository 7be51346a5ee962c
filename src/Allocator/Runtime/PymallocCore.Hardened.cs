// The hardened release mode (PymallocConfig.Hardened; off by default, and then every check here
// folds away). Two guarantees, each at a few instructions per call:
// - a free is refused unless its pointer is the start of a live block of this heap (an interior
//   pointer, a second free of a block, a pointer from another heap or allocator), so no free list
//   is ever corrupted by a wrong free;
// - an allocation never follows a free-list link that leaves its pool: the link of the block being
//   handed out must point at a carved block of the same pool (or end the list), so memory that was
//   written after it was freed cannot send a later allocation anywhere else.
// A free of a block twice is found by its link: free-list links are stored XOR a random per-heap
// key (mimalloc's encoded free lists) and a block is handed out with its first word zeroed, so a
// block whose first word decodes to a link into its own pool (or to the list's end) is free; its
// pool's free list is then walked to be sure. Live data, zero included, decodes to garbage.
using System;
using System.Runtime.CompilerServices;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>The free-list link stored in a free block: XOR the heap's key in the hardened mode.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte* ReadLink(HeapState* heap, byte* block)
        => default(TLayout).Hardened ? (byte*)(*(nuint*)block ^ heap->FreeListKey) : *(byte**)block;

    /// <summary>Stores a free-list link in a free block (see <see cref="ReadLink"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteLink(HeapState* heap, byte* block, byte* next)
    {
        if (default(TLayout).Hardened)
        {
            *(nuint*)block = (nuint)next ^ heap->FreeListKey;
        }
        else
        {
            *(byte**)block = next;
        }
    }

    /// <summary>Hardened free of a pointer inside the heap's arenas: throws unless it is a live block's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckFreeOfPoolBlock(HeapState* heap, PoolHeader* pool, void* p)
    {
        uint index = pool->SizeIndex;
        nuint offset = (nuint)p - (nuint)pool - default(TLayout).PoolOverhead;
        if (index >= default(TLayout).NumSizeClasses || pool->Count == 0 || offset >= pool->NextOffset - default(TLayout).PoolOverhead
            || BlockIndex(heap, offset, index) * BlockSize(index) != offset)
        {
            throw NotABlock(pool, p);
        }
        // Free blocks hold encoded links and a block handed out starts zeroed, so only a block that
        // is free (or, by a 1-in-2^64 chance, holds exactly a link's encoding) looks like one.
        byte* link = ReadLink(heap, (byte*)p);
        if (link == null || IsCarvedBlockOf(pool, link))
        {
            CheckNotOnFreeList(heap, pool, p);
        }
    }

    /// <summary>Hardened allocation: the link a pool's free list is about to follow stays in the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckNextFreeBlock(PoolHeader* pool, byte* next)
    {
        if (next != null && !IsCarvedBlockOf(pool, next))
        {
            throw CorruptFreeList(pool, next);
        }
    }

    /// <summary>True if <paramref name="p"/> lies in the carved part of <paramref name="pool"/> (past its header).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsCarvedBlockOf(PoolHeader* pool, byte* p)
        => (nuint)p - (nuint)pool - default(TLayout).PoolOverhead < (nuint)(pool->NextOffset - default(TLayout).PoolOverhead);

    /// <summary>offset / BlockSize(index) without a division: the high half of offset times a
    /// per-class reciprocal, exact for every offset inside a pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint BlockIndex(HeapState* heap, nuint offset, uint index) => (nuint)Platform.MultiplyHigh((ulong)offset, heap->BlockReciprocals[index]);

    /// <summary>Fills the heap's reciprocals (see <see cref="BlockIndex"/>).</summary>
    internal static void InitializeReciprocals(HeapState* heap)
    {
        for (uint i = 0; i < default(TLayout).NumSizeClasses; i++)
        {
            heap->BlockReciprocals[i] = ulong.MaxValue / BlockSize(i) + 1;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckNotOnFreeList(HeapState* heap, PoolHeader* pool, void* p)
    {
        uint steps = 0, limit = BlocksPerPool(pool->SizeIndex);
        for (byte* b = pool->FreeBlock; b != null; b = ReadLink(heap, b))
        {
            if (b == p)
            {
                throw new HeapCorruptionException($"Free of 0x{(nuint)p:x}, a block that is already free (double free).", (nuint)p, 0, "");
            }
            if (++steps > limit || !IsCarvedBlockOf(pool, b))
            {
                throw CorruptFreeList(pool, b);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static HeapCorruptionException NotABlock(PoolHeader* pool, void* p) => new(
        $"Free of 0x{(nuint)p:x}, which is not the start of a live block (an interior pointer, a block of an empty pool, or not a block at all; pool 0x{(nuint)pool:x}).",
        (nuint)p, 0, "");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static HeapCorruptionException ForeignPointer(void* p) => new(
        $"Free of 0x{(nuint)p:x}, which is neither a block of this heap's pools nor one of its raw blocks (freed already, from another heap or allocator, or never allocated).",
        (nuint)p, 0, "");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static HeapCorruptionException CorruptFreeList(PoolHeader* pool, byte* link) => new(
        $"The free list of pool 0x{(nuint)pool:x} leads to 0x{(nuint)link:x}, outside the pool: a block was written after it was freed. Nothing was handed out.",
        (nuint)link, 0, "");
}
