// Arenas (obmalloc's new_arena and the arena half of insert_to_freepool). usable_arenas is kept
// sorted by free pools ascending so that allocation fills the fullest arenas and the emptiest
// ones drain and get released; nfp2lasta[n] (the rightmost arena with n free pools) makes every
// re-sort O(1).
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>obmalloc's INITIAL_ARENA_OBJECTS: the arena-object array starts this big and doubles.</summary>
    internal const uint InitialArenaObjects = 16;

    /// <summary>new_arena: maps an arena and associates a free arena record with it. Null when the
    /// record array cannot grow or the arena allocator fails; the heap is unchanged then.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaObject* NewArena(HeapState* heap)
    {
        if (heap->UnusedArenaObjects == null)
        {
            uint count = heap->ArenaSlots != 0 ? heap->ArenaSlots << 1 : InitialArenaObjects;
            if (count <= heap->ArenaSlots)
            {
                return null; // overflow
            }
            // obmalloc reallocs the array; here the new one is filled first and the old one freed only
            // once no observer can be walking it (BytesInBlocks holds the arena lock while it reads).
            var grown = (ArenaObject*)RawMemory.Malloc(heap, (nuint)count * (nuint)sizeof(ArenaObject));
            if (grown == null)
            {
                return null;
            }
            ArenaObject* old = heap->Arenas;
            if (old != null)
            {
                Buffer.MemoryCopy(old, grown, (nuint)count * (nuint)sizeof(ArenaObject), (nuint)heap->ArenaSlots * (nuint)sizeof(ArenaObject));
            }
            // Only called when every arena is full, so no pointer into the old array is live:
            // usable_arenas and unused_arena_objects are both empty.
            LockArenas(heap);
            heap->Arenas = grown;
            for (uint i = heap->ArenaSlots; i < count; i++)
            {
                grown[i].Address = 0;
                grown[i].NextArena = i < count - 1 ? &grown[i + 1] : null;
            }
            heap->UnusedArenaObjects = &grown[heap->ArenaSlots];
            heap->ArenaSlots = count;
            UnlockArenas(heap);
            if (old != null)
            {
                RawMemory.Free(heap, old);
            }
        }

        ArenaObject* arena = heap->UnusedArenaObjects;
        Debug.Assert(arena->Address == 0, "a record on unused_arena_objects is associated with no arena");
        void* address = ArenaMemory.Alloc(heap, ArenaSize, PoolSize);
        if (address == null)
        {
            return null;
        }
        if (default(TLayout).MaxPoolsInArena == 1 && ((nuint)address & PoolSizeMask) != 0)
        {
            // An arena of one pool that is not pool-aligned holds no whole pool (CPython would assert
            // here): give it back and fail like an arena allocator that has no memory.
            ArenaMemory.Free(heap, address, ArenaSize);
            return null;
        }
        if (!ArenaMap<TLayout>.MarkUsed(heap, (nuint)address, used: true))
        {
            ArenaMemory.Free(heap, address, ArenaSize);
            return null;
        }
        heap->UnusedArenaObjects = arena->NextArena;

        ++heap->ArenasCurrentlyAllocated;
        ++heap->TimesArenaAllocated;
        if (heap->ArenasCurrentlyAllocated > heap->ArenasHighwater)
        {
            heap->ArenasHighwater = heap->ArenasCurrentlyAllocated;
        }
        arena->FreePools = null;
        // Pools must be POOL_SIZE-aligned (POOL_ADDR masks the low bits), so an arena that does not
        // start on a pool boundary loses its partial first and last pool.
        arena->PoolAddress = (byte*)address;
        arena->NFreePools = default(TLayout).MaxPoolsInArena;
        nuint excess = (nuint)address & PoolSizeMask;
        if (excess != 0)
        {
            --arena->NFreePools;
            arena->PoolAddress += PoolSize - excess;
        }
        arena->NTotalPools = arena->NFreePools;
        Debug.Assert(arena->NTotalPools > 0 && ((nuint)arena->PoolAddress & PoolSizeMask) == 0, "a new arena holds at least one pool-aligned pool");
        // Published last, under the lock: an observer sees an arena only with its pool fields set.
        LockArenas(heap);
        arena->Address = (nuint)address;
        UnlockArenas(heap);
        return arena;
    }

    /// <summary>The arena half of insert_to_freepool: <paramref name="arena"/> just got one more
    /// free pool. Release it, put it at the head of usable_arenas, or slide it right.</summary>
    private static void OnPoolFreed(HeapState* heap, ArenaObject* arena)
    {
        uint nf = arena->NFreePools;
        Debug.Assert(nf < arena->NTotalPools, "an arena that gets a pool back had one out");
        Debug.Assert(nf == 0 || arena->PrevArena == null || arena->PrevArena->NFreePools <= nf, "usable_arenas is sorted by free pools");
        ArenaObject** nfp2lasta = heap->Nfp2Lasta;
        // If this is the rightmost arena with nf free pools, the role passes to its left
        // neighbour when that one has nf too. (nf == 0: the arena is in no list, nfp2lasta[0] is null.)
        ArenaObject* lastnf = nfp2lasta[nf];
        if (lastnf == arena)
        {
            ArenaObject* p = arena->PrevArena;
            nfp2lasta[nf] = p != null && p->NFreePools == nf ? p : null;
        }
        arena->NFreePools = ++nf;

        if (nf == arena->NTotalPools && arena->NextArena != null)
        {
            // Case 1: wholly free, and not the last usable arena (that one is kept to avoid
            // mapping and unmapping an arena on every iteration of a simple loop; bpo-37257).
            ReleaseArena(heap, arena);
            return;
        }

        if (nf == 1)
        {
            // Case 2: it was full, so it is in no list; with one free pool it sorts first.
            arena->NextArena = heap->UsableArenas;
            arena->PrevArena = null;
            if (heap->UsableArenas != null)
            {
                heap->UsableArenas->PrevArena = arena;
            }
            heap->UsableArenas = arena;
            if (nfp2lasta[1] == null)
            {
                nfp2lasta[1] = arena;
            }
            return;
        }

        if (nfp2lasta[nf] == null)
        {
            nfp2lasta[nf] = arena;
        }
        if (arena == lastnf)
        {
            // Case 4: it was the rightmost with nf - 1, so it is still in order.
            return;
        }

        // Case 3: move it right, to just after the rightmost arena that had its old count.
        Debug.Assert(lastnf != null && lastnf->NFreePools == nf - 1, "nfp2lasta[nf - 1] is the arena to move past");
        Debug.Assert(arena->NextArena != null, "an arena that is not the rightmost of its count has a right neighbour");
        if (arena->PrevArena != null)
        {
            arena->PrevArena->NextArena = arena->NextArena;
        }
        else
        {
            heap->UsableArenas = arena->NextArena;
        }
        arena->NextArena->PrevArena = arena->PrevArena;
        arena->PrevArena = lastnf;
        arena->NextArena = lastnf->NextArena;
        if (arena->NextArena != null)
        {
            arena->NextArena->PrevArena = arena;
        }
        lastnf->NextArena = arena;
        Debug.Assert(arena->NextArena == null || arena->NFreePools <= arena->NextArena->NFreePools, "the arena moved right stays sorted");
    }

    /// <summary>Unlinks a wholly free arena from usable_arenas and gives it back.</summary>
    private static void ReleaseArena(HeapState* heap, ArenaObject* arena)
    {
        Debug.Assert(arena->NFreePools == arena->NTotalPools, "only a wholly free arena is released");
        Debug.Assert(heap->ArenasCurrentlyAllocated > 0, "a released arena was counted");
        if (arena->PrevArena == null)
        {
            heap->UsableArenas = arena->NextArena;
        }
        else
        {
            arena->PrevArena->NextArena = arena->NextArena;
        }
        if (arena->NextArena != null)
        {
            arena->NextArena->PrevArena = arena->PrevArena;
        }
        arena->NextArena = heap->UnusedArenaObjects;
        heap->UnusedArenaObjects = arena;

        ArenaMap<TLayout>.MarkUsed(heap, arena->Address, used: false);
        void* address = (void*)arena->Address;
        LockArenas(heap); // an observer may be reading this arena's pool headers
        arena->Address = 0;
        UnlockArenas(heap);
        ArenaMemory.Free(heap, address, ArenaSize);
        --heap->ArenasCurrentlyAllocated;
    }

    /// <summary>Takes the heap's arena lock (see <see cref="HeapState.ArenaLock"/>): held for a few
    /// stores by the owner, or for one walk by an observer, so spinning is the right wait.</summary>
    internal static void LockArenas(HeapState* heap)
    {
        while (System.Threading.Interlocked.CompareExchange(ref heap->ArenaLock, 1, 0) != 0)
        {
            System.Threading.Thread.Yield();
        }
    }

    internal static void UnlockArenas(HeapState* heap) => System.Threading.Volatile.Write(ref heap->ArenaLock, 0);

    /// <summary>Returns the freed arenas the default arena source keeps for reuse to the OS now, instead of
    /// after <see cref="ArenaCache.PurgeDelayMilliseconds"/> (e.g. after a level unload, before a memory report).
    /// Owner only. Returns how many were returned.</summary>
    public static int TrimArenaCache(HeapState* heap)
    {
        int n = heap->Cache.Count;
        ArenaCache.ReleaseAll(heap, ArenaSize);
        return n;
    }
}
