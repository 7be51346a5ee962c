// The public entry points of a heap, with CPython 3.11's exact rules (_PyObject_Malloc, _Calloc,
// _Realloc, _Free): requests of 0 or above the threshold, and pointers outside our arenas, belong
// to the raw allocator; realloc keeps a block when the new size still fits and wastes under 25%.
// AllocateSizeClass is the one copy of the allocation fast path: Malloc calls it with the class
// computed from the byte count, each generated AllocateSizeClassN with its class as a constant.
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>PY_SSIZE_T_MAX: CPython refuses larger requests outright, so no size arithmetic can wrap.</summary>
    public const ulong MaxRequest = long.MaxValue;

    /// <summary>pymalloc_alloc: a block for 1..threshold bytes, or null (not ours, or out of memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void* TryAllocateSmall(HeapState* heap, nuint nbytes)
    {
        // One unsigned compare covers both nbytes == 0 (wraps) and nbytes > threshold.
        if (nbytes - 1 >= default(TLayout).SmallRequestThreshold)
        {
            return null;
        }
        return AllocateSizeClass(heap, (uint)((nbytes - 1) >> default(TLayout).AlignmentShift));
    }

    /// <summary>
    /// The fast path of one size class: pop the head block of the class's first used pool, or, with no
    /// used pool, take a new one (the slow path). This is the only copy of pymalloc's allocation fast
    /// path: <see cref="TryAllocateSmall"/> calls it with a computed class, and each generated
    /// <c>AllocateSizeClassN</c> with a constant one, which the JIT folds into that class's block size
    /// and usedpools slot (the carving limit stays obmalloc's pool->maxnextoffset; see ExtendPool).
    /// Null only when no arena can be mapped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocateSizeClass(HeapState* heap, uint index)
    {
        PoolHeader* pool = HeapState.UsedPools(heap)[index + index];
        return pool != pool->NextPool ? PopBlock(heap, pool, index) : AllocateFromNewPool(heap, index);
    }

    /// <summary>Takes the head of a used pool's free list, carving the next block when the list runs out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte* PopBlock(HeapState* heap, PoolHeader* pool, uint index)
    {
        if (default(TLayout).LiveCounters)
        {
            // Opt-in counters for observers (plain increments: only the owner writes them).
            heap->Allocations++;
            heap->BytesInBlocks += BlockSize(index);
        }
        byte* bp = pool->FreeBlock;
        byte* next = ReadLink(heap, bp);
        if (default(TLayout).Hardened)
        {
            CheckNextFreeBlock(pool, next);
            *(nuint*)bp = 0; // handed out zeroed: its stale link must not pass for a free block's
        }
        ++pool->Count;
        if ((pool->FreeBlock = next) == null)
        {
            ExtendPool(heap, pool, index);
        }
        return bp;
    }

    /// <summary>_PyObject_Malloc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Malloc(HeapState* heap, nuint nbytes)
    {
        void* p = TryAllocateSmall(heap, nbytes);
        return p != null ? p : MallocRaw(heap, nbytes);
    }

    /// <summary>The raw half of _PyObject_Malloc: also where pymalloc's own failures fall back to
    /// (unless the heap is set to fail small requests it cannot serve from an arena).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void* MallocRaw(HeapState* heap, nuint nbytes)
    {
        if (nbytes > MaxRequest || (heap->FailSmallRequestsWithoutArena && !heap->Bypass && nbytes - 1 < default(TLayout).SmallRequestThreshold))
        {
            return null;
        }
        return TrackRaw(heap, OverAligned ? RawMemory.AlignedMalloc(heap, RawSize(nbytes), Alignment) : RawMemory.Malloc(heap, RawSize(nbytes)));
    }

    /// <summary>ALIGNMENT above what malloc guarantees (16): raw blocks are then allocated aligned too.</summary>
    private static bool OverAligned
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => default(TLayout).AlignmentShift > 4;
    }

    /// <summary>Frees one of the heap's own raw blocks, the way it was allocated.</summary>
    internal static void FreeRawBlock(HeapState* heap, void* p)
    {
        if (OverAligned)
        {
            RawMemory.AlignedFree(heap, p);
        }
        else
        {
            RawMemory.Free(heap, p);
        }
    }

    /// <summary>Raw requests get at least two pointers' worth: a raw block freed by another thread is
    /// handed to the owner through its first word, as a pool block is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint RawSize(nuint nbytes) => nbytes < 16 ? 16 : nbytes;

    /// <summary>Records a new raw block in the heap's set (so Reset and Dispose free it); if even the
    /// set cannot grow, the block is given back and the request fails.</summary>
    private static void* TrackRaw(HeapState* heap, void* p)
    {
        if (p == null)
        {
            return null;
        }
        LockRaw(heap);
        bool added = heap->RawBlocks.Add(p);
        UnlockRaw(heap);
        if (!added)
        {
            FreeRawBlock(heap, p);
            return null;
        }
        if (default(TLayout).LiveCounters)
        {
            heap->Allocations++;
        }
        return p;
    }

    /// <summary>_PyObject_Calloc: zeroed memory for <paramref name="count"/> elements; null if the
    /// product overflows (never a wrapped, too-small block).</summary>
    public static void* Calloc(HeapState* heap, nuint count, nuint size)
    {
        if (size != 0 && count > MaxRequest / size)
        {
            return null;
        }
        nuint nbytes = count * size;
        void* p = TryAllocateSmall(heap, nbytes);
        if (p != null)
        {
            NativeMemory.Clear(p, nbytes);
            return p;
        }
        if (heap->FailSmallRequestsWithoutArena && !heap->Bypass && nbytes - 1 < default(TLayout).SmallRequestThreshold)
        {
            return null;
        }
        return TrackRaw(heap, OverAligned ? RawMemory.AlignedCalloc(heap, RawSize(nbytes), Alignment)
            : nbytes < 16 ? RawMemory.Calloc(heap, 1, 16) : RawMemory.Calloc(heap, count, size));
    }

    /// <summary>True if <paramref name="p"/> is a block of this heap's arenas (never reads *p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(HeapState* heap, void* p) => ArenaMap<TLayout>.IsUsed(heap, p);

    /// <summary>_PyObject_Free: null is ignored; a foreign pointer goes to the raw free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(HeapState* heap, void* p)
    {
        if (p == null)
        {
            return;
        }
        if (!ArenaMap<TLayout>.IsUsed(heap, p))
        {
            FreeRaw(heap, p);
            return;
        }
        PoolHeader* pool = PoolOf(p);
        if (default(TLayout).Hardened)
        {
            CheckFreeOfPoolBlock(heap, pool, p);
        }
        if (default(TLayout).LiveCounters)
        {
            heap->BytesInBlocks -= BlockSize(pool->SizeIndex);
        }
        // The pool had p outstanding, so it is used or full, never on freepools.
        System.Diagnostics.Debug.Assert(pool->Count > 0, "a pool with a block out counts it");
        byte* lastFree = pool->FreeBlock;
        WriteLink(heap, (byte*)p, lastFree);
        pool->FreeBlock = (byte*)p;
        pool->Count--;
        if (lastFree == null)
        {
            InsertToUsedPools(heap, pool); // it was full: back into its class's ring
        }
        else if (pool->Count == 0)
        {
            InsertToFreePools(heap, pool); // now empty: to the arena's freepools
        }
    }

    /// <summary>The raw half of _PyObject_Free: the heap's own raw block, or a foreign pointer, which
    /// goes to the raw free all the same (as in CPython).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FreeRaw(HeapState* heap, void* p)
    {
        LockRaw(heap);
        bool ours = heap->RawBlocks.Remove(p);
        UnlockRaw(heap);
        if (ours)
        {
            FreeRawBlock(heap, p);
        }
        else if (!HeapRegistry.RouteToOwner(heap, p))
        {
            // No heap of the process owns it: foreign memory. CPython passes it to the raw free;
            // the hardened mode refuses it.
            if (default(TLayout).Hardened)
            {
                throw ForeignPointer(p);
            }
            RawMemory.Free(heap, p);
        }
    }

    /// <summary>Whether <paramref name="p"/> is a pool or raw block of <paramref name="heap"/>: the
    /// registry's test, called from any thread on a wrong-heap free.</summary>
    private static bool OwnsBlock(HeapState* heap, void* p)
    {
        if (ArenaMap<TLayout>.IsUsed(heap, p))
        {
            return true;
        }
        LockRaw(heap);
        bool raw = heap->RawBlocks.Contains(p);
        UnlockRaw(heap);
        return raw;
    }

    private static void LockRaw(HeapState* heap)
    {
        while (System.Threading.Interlocked.CompareExchange(ref heap->RawLock, 1, 0) != 0)
        {
            System.Threading.Thread.Yield();
        }
    }

    private static void UnlockRaw(HeapState* heap) => System.Threading.Volatile.Write(ref heap->RawLock, 0);

    /// <summary>_PyObject_Realloc. A failed move returns null and leaves the old block intact.</summary>
    public static void* Realloc(HeapState* heap, void* p, nuint nbytes)
    {
        if (p == null)
        {
            return Malloc(heap, nbytes);
        }
        if (!ArenaMap<TLayout>.IsUsed(heap, p))
        {
            // Not ours: the raw allocator keeps it, whatever the new size (CPython cannot know how
            // many bytes of a foreign block are readable, so it never adopts one). One of the heap's
            // raw blocks stays in its set under its new address.
            if (nbytes > MaxRequest)
            {
                return null;
            }
            LockRaw(heap);
            bool tracked = heap->RawBlocks.Contains(p);
            UnlockRaw(heap);
            void* moved = tracked && OverAligned
                ? RawMemory.AlignedRealloc(heap, p, RawSize(nbytes), Alignment)
                : RawMemory.Realloc(heap, p, RawSize(nbytes));
            if (moved != null && moved != p && tracked)
            {
                LockRaw(heap);
                heap->RawBlocks.Remove(p);
                // If even the set cannot grow, the caller still has a valid block, which the heap can
                // no longer free on Reset or Dispose (Free still frees it, as foreign memory).
                heap->RawBlocks.Add(moved);
                UnlockRaw(heap);
            }
            return moved;
        }
        nuint size = BlockSize(PoolOf(p)->SizeIndex);
        if (nbytes <= size)
        {
            // Staying or shrinking: copy only if at least a quarter of the block would be saved.
            if (4 * nbytes > 3 * size)
            {
                return p;
            }
            size = nbytes;
        }
        // Allocate first, then free: the order is observable in pool and arena state.
        void* bp = Malloc(heap, nbytes);
        if (bp != null)
        {
            Buffer.MemoryCopy(p, bp, size, size);
            Free(heap, p);
        }
        return bp;
    }
}
