// Pool transitions (obmalloc's pymalloc_pool_extend, allocate_from_new_pool, insert_to_usedpool,
// insert_to_freepool's first half). A pool is used, full or empty; see PoolHeader for the rules.
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>The free list ran out: carve the next never-used block, or, if the pool has none
    /// left, it is full and leaves its usedpools ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ExtendPool(HeapState* heap, PoolHeader* pool, uint index)
    {
        Debug.Assert(pool->FreeBlock == null, "a pool is extended only when its free list ran out");
        Debug.Assert(pool->SizeIndex == index, "a used pool serves one size class");
        // pool->maxnextoffset, as obmalloc.c tests it, rather than POOL_SIZE - size: for a computed
        // class (Malloc) the load is one instruction against three, and for a constant class the
        // immediate would save nothing (the field shares a cache line with the count just written).
        Debug.Assert(pool->MaxNextOffset == PoolSize - BlockSize(index), "maxnextoffset is POOL_SIZE - size");
        if (pool->NextOffset <= pool->MaxNextOffset)
        {
            byte* next = (byte*)pool + pool->NextOffset;
            pool->FreeBlock = next;
            pool->NextOffset += BlockSize(index);
            WriteLink(heap, next, null);
            return;
        }
        UnlinkFullPool(pool);
    }

    /// <summary>Takes a pool that just became full out of its usedpools ring.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void UnlinkFullPool(PoolHeader* pool)
    {
        Debug.Assert(pool->FreeBlock == null && pool->NextOffset > pool->MaxNextOffset, "only a full pool leaves its ring");
        PoolHeader* next = pool->NextPool;
        PoolHeader* prev = pool->PrevPool;
        next->PrevPool = prev;
        prev->NextPool = next;
    }

    /// <summary>allocate_from_new_pool: size class <paramref name="index"/> has no used pool, so take a
    /// free pool from the first usable arena (mapping a new arena if there is none) and return
    /// its first block. Null when no arena can be mapped.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void* AllocateFromNewPool(HeapState* heap, uint index)
    {
        // The public APIs check the owner on every call; this catches code driving the core directly
        // (unless the layout's threading model is Unchecked, where any thread may use it in turn).
        if (default(TLayout).ChecksOwner && heap->OwnerThread != 0 && heap->OwnerThread != ThreadIdentity.Current)
        {
            if (!OnOwnerThread(heap))
            {
                throw NotTheOwner("This pymalloc heap", heap->OwnerThread, ThreadIdentity.Current);
            }
            // On the owner's stack with another id: a new thread on the stack of an owner that has
            // exited (the OS reuses a dead thread's stack). The fast check let it in, so the slow
            // path agrees — one answer for the whole heap — and records the new id.
            System.Threading.Volatile.Write(ref heap->OwnerThread, ThreadIdentity.Current);
        }
        // Blocks other threads freed may make this class's pools usable again: take them back first.
        while (heap->DelayedFrees != 0)
        {
            DrainDelayedFrees(heap);
            PoolHeader* used = HeapState.UsedPools(heap)[index + index];
            if (used != used->NextPool)
            {
                return PopBlock(heap, used, index);
            }
        }
        ArenaObject* arena = heap->UsableArenas;
        if (arena == null)
        {
            if (heap->Bypass)
            {
                // No pool ever becomes used, so every small request lands here and goes raw: the
                // bypass costs the fast path nothing.
                return null;
            }
            if (heap->MaxArenasLimit != 0 && heap->ArenasCurrentlyAllocated >= heap->MaxArenasLimit)
            {
                return null; // WITH_MEMORY_LIMITS: the caller falls back to the raw allocator, or fails
            }
            arena = NewArena(heap);
            if (arena == null)
            {
                return null;
            }
            arena->NextArena = arena->PrevArena = null;
            heap->UsableArenas = arena;
            heap->Nfp2Lasta[arena->NFreePools] = arena;
        }

        Debug.Assert(arena->NFreePools > 0, "every arena on usable_arenas has a free pool");
        Debug.Assert(arena->PrevArena == null, "the head of usable_arenas has no predecessor");
        // The head arena has the fewest free pools, so taking one keeps the list sorted; only
        // nfp2lasta needs care, and the arena leaves the list when it has no free pool left.
        if (heap->Nfp2Lasta[arena->NFreePools] == arena)
        {
            heap->Nfp2Lasta[arena->NFreePools] = null;
        }
        if (arena->NFreePools > 1)
        {
            heap->Nfp2Lasta[arena->NFreePools - 1] = arena;
        }

        PoolHeader* pool = arena->FreePools;
        if (pool != null)
        {
            // A cached empty pool: it keeps its header and, if the class matches, its free list.
            Debug.Assert(pool->Count == 0, "a pool on freepools has no block out");
            arena->FreePools = pool->NextPool;
        }
        else
        {
            // Carve the next pool; its header is written below.
            pool = (PoolHeader*)arena->PoolAddress;
            pool->ArenaIndex = (uint)(arena - heap->Arenas);
            pool->SizeIndex = PoolHeader.DummySizeIndex;
            arena->PoolAddress += PoolSize;
            Debug.Assert((nuint)arena->PoolAddress <= arena->Address + ArenaSize, "a carved pool lies inside its arena");
        }
        if (--arena->NFreePools == 0)
        {
            heap->UsableArenas = arena->NextArena;
            if (heap->UsableArenas != null)
            {
                heap->UsableArenas->PrevArena = null;
            }
        }

        heap->PoolsInUse++;
        heap->PoolBlockBytes += BlocksPerPool(index) * BlockSize(index);
        if (default(TLayout).LiveCounters)
        {
            heap->Allocations++;
            heap->BytesInBlocks += BlockSize(index);
        }

        // The class's ring is empty (that is why we are here): the pool becomes its only member.
        PoolHeader* head = HeapState.UsedPools(heap)[index + index];
        pool->NextPool = head;
        pool->PrevPool = head;
        head->NextPool = pool;
        head->PrevPool = pool;
        pool->Count = 1;

        byte* bp;
        if (pool->SizeIndex == index)
        {
            // Last used for this very class: header and free list are still valid.
            bp = pool->FreeBlock;
            byte* next = ReadLink(heap, bp);
            if (default(TLayout).Hardened)
            {
                CheckNextFreeBlock(pool, next);
                *(nuint*)bp = 0;
            }
            pool->FreeBlock = next;
            return bp;
        }

        // Initialise: return the first block, the second becomes the whole free list, the rest
        // is carved lazily by ExtendPool.
        pool->SizeIndex = index;
        uint size = BlockSize(index);
        bp = (byte*)pool + default(TLayout).PoolOverhead;
        pool->NextOffset = default(TLayout).PoolOverhead + (size << 1);
        pool->MaxNextOffset = (uint)PoolSize - size;
        pool->FreeBlock = bp + size;
        WriteLink(heap, pool->FreeBlock, null);
        return bp;
    }

    /// <summary>insert_to_usedpool: a full pool got a free block back and rejoins its class's ring.
    /// It is linked before <c>usedpools[2i]</c> — the slot's value, i.e. the ring's first pool, not
    /// the fake header — so it becomes the first pool and its freed block is the next one handed
    /// out (obmalloc: "this mimics LRU pool usage"). The trace oracle pins this down: linking it
    /// after the last pool instead changes the statistics of the w1_ast and w3_mixed traces.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void InsertToUsedPools(HeapState* heap, PoolHeader* pool)
    {
        Debug.Assert(pool->Count > 0 && pool->FreeBlock != null, "a pool rejoins its ring when a block of a full pool is freed");
        uint index = pool->SizeIndex;
        PoolHeader* next = HeapState.UsedPools(heap)[index + index];
        PoolHeader* prev = next->PrevPool;
        pool->NextPool = next;
        pool->PrevPool = prev;
        next->PrevPool = pool;
        prev->NextPool = pool;
    }

    /// <summary>insert_to_freepool: a pool became empty. It leaves its ring for the front of its
    /// arena's freepools, then the arena's place in usable_arenas is fixed up.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void InsertToFreePools(HeapState* heap, PoolHeader* pool)
    {
        Debug.Assert(pool->Count == 0, "only an empty pool goes to freepools");
        PoolHeader* next = pool->NextPool;
        PoolHeader* prev = pool->PrevPool;
        next->PrevPool = prev;
        prev->NextPool = next;

        heap->PoolsInUse--;
        heap->PoolBlockBytes -= BlocksPerPool(pool->SizeIndex) * BlockSize(pool->SizeIndex);
        ArenaObject* arena = &heap->Arenas[pool->ArenaIndex];
        pool->NextPool = arena->FreePools;
        arena->FreePools = pool;
        OnPoolFreed(heap, arena);
    }
}
