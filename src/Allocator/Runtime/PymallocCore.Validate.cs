// Validate: walks every arena, pool, free list and list of the heap and checks the invariants
// written on PoolHeader, ArenaObject and HeapState. It reads only the heap's own memory, costs time
// proportional to the heap, and is meant for tests, fuzzing and debugging sessions.
using System.Collections.Generic;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>Checks every invariant of <paramref name="heap"/>; throws on the first broken one.</summary>
    /// <exception cref="HeapCorruptionException">An invariant does not hold.</exception>
    public static void Validate(HeapState* heap)
    {
        var usedPools = new HashSet<nint>();
        for (uint c = 0; c < default(TLayout).NumSizeClasses; c++)
        {
            PoolHeader* head = PoolHeader.PTA(HeapState.UsedPools(heap), (int)c);
            int guard = 0;
            for (PoolHeader* p = head->NextPool; p != head; p = p->NextPool)
            {
                Check(p->NextPool->PrevPool == p, $"usedpools[{c}]: broken ring at pool 0x{(nuint)p:x}");
                Check(p->SizeIndex == c, $"usedpools[{c}]: pool 0x{(nuint)p:x} has class {p->SizeIndex}");
                Check(p->Count > 0 && p->FreeBlock != null, $"usedpools[{c}]: pool 0x{(nuint)p:x} is not a used pool (count {p->Count})");
                Check(usedPools.Add((nint)p), $"usedpools[{c}]: pool 0x{(nuint)p:x} is linked twice");
                Check(++guard <= 1 << 24, $"usedpools[{c}]: the ring does not close");
            }
        }

        uint associated = 0;
        nuint inUse = 0, bytesInBlocks = 0, poolBlockBytes = 0;
        foreach (ArenaObject* a in Arenas(heap))
        {
            uint i = (uint)(a - heap->Arenas);
            associated++;
            Check(ArenaMap<TLayout>.IsUsed(heap, (void*)a->Address) && ArenaMap<TLayout>.IsUsed(heap, (void*)(a->Address + ArenaSize - 1)),
                $"arena {i}: not covered by the arena map");
            nuint first = FirstPool(a);
            nuint carved = ((nuint)a->PoolAddress - first) / PoolSize;
            Check((nuint)a->PoolAddress >= first && carved <= a->NTotalPools, $"arena {i}: pool_address out of range");
            var free = new HashSet<nint>();
            int guard = 0;
            for (PoolHeader* p = a->FreePools; p != null; p = p->NextPool)
            {
                Check((nuint)p >= first && (nuint)p < (nuint)a->PoolAddress && ((nuint)p & PoolSizeMask) == 0, $"arena {i}: freepools holds 0x{(nuint)p:x}");
                Check(p->Count == 0, $"arena {i}: pool 0x{(nuint)p:x} on freepools has {p->Count} blocks");
                Check(free.Add((nint)p) && ++guard <= 1 << 20, $"arena {i}: freepools loops");
            }
            Check(a->NFreePools == (nuint)free.Count + (a->NTotalPools - carved), $"arena {i}: nfreepools {a->NFreePools} but {free.Count} free + {a->NTotalPools - carved} uncarved");
            foreach (PoolHeader* p in CarvedPools(a))
            {
                Check(p->ArenaIndex == i, $"pool 0x{(nuint)p:x}: arena index {p->ArenaIndex}, expected {i}");
                if (p->Count == 0)
                {
                    Check(free.Contains((nint)p), $"pool 0x{(nuint)p:x}: empty but not on freepools");
                    if (p->SizeIndex != PoolHeader.DummySizeIndex)
                    {
                        // Kept for reuse by its class: its free list is followed when the pool is taken again.
                        Check(p->SizeIndex < default(TLayout).NumSizeClasses, $"pool 0x{(nuint)p:x}: class {p->SizeIndex}");
                        ValidateFreeList(heap, p);
                    }
                    continue;
                }
                ValidatePool(heap, p, usedPools.Contains((nint)p));
                inUse++;
                bytesInBlocks += (nuint)p->Count * BlockSize(p->SizeIndex);
                poolBlockBytes += (nuint)BlocksPerPool(p->SizeIndex) * BlockSize(p->SizeIndex);
            }
        }
        Check(associated == heap->ArenasCurrentlyAllocated, $"{associated} arenas associated, counter says {heap->ArenasCurrentlyAllocated}");
        Check(inUse == heap->PoolsInUse, $"{inUse} pools in use, counter says {heap->PoolsInUse}");
        Check(poolBlockBytes == heap->PoolBlockBytes, $"{poolBlockBytes} bytes in pools, counter says {heap->PoolBlockBytes}");
        Check(!default(TLayout).LiveCounters || bytesInBlocks == heap->BytesInBlocks,
            $"{bytesInBlocks} bytes in blocks, the live counter says {heap->BytesInBlocks}");

        // Frees other threads handed over: each a block start of a pool in use, each once (a block freed
        // twice from other threads would otherwise be handed out twice once drained). Pushes only
        // prepend, so the list read from its head is a stable snapshot.
        var handed = new HashSet<nint>();
        for (nint d = System.Threading.Volatile.Read(ref heap->DelayedFrees); d != 0; d = *(nint*)d)
        {
            Check(handed.Add(d) && handed.Count <= 1 << 26, $"the frees handed over by other threads hold 0x{(nuint)d:x} twice (a double free)");
            if (ArenaMap<TLayout>.IsUsed(heap, (void*)d))
            {
                PoolHeader* pool = PoolOf((void*)d);
                nuint offset = (nuint)d - (nuint)pool;
                Check(pool->SizeIndex < default(TLayout).NumSizeClasses && pool->Count > 0 && offset >= default(TLayout).PoolOverhead
                    && offset < pool->NextOffset && (offset - default(TLayout).PoolOverhead) % BlockSize(pool->SizeIndex) == 0,
                    $"the frees handed over by other threads hold 0x{(nuint)d:x}, which is not a live block's start");
            }
        }

        // usable_arenas: exactly the arenas with free pools, sorted by free pools ascending, and
        // nfp2lasta[n] the rightmost with n.
        uint withFree = 0;
        foreach (ArenaObject* a in Arenas(heap))
        {
            withFree += a->NFreePools > 0 ? 1u : 0u;
        }
        uint listed = 0;
        for (ArenaObject* a = heap->UsableArenas; a != null; a = a->NextArena)
        {
            Check(a->Address != 0 && a->NFreePools > 0, "usable_arenas holds an arena without free pools");
            Check(a->NextArena == null || (a->NextArena->PrevArena == a && a->NextArena->NFreePools >= a->NFreePools), "usable_arenas is not sorted or not doubly linked");
            Check(a->NextArena != null && a->NextArena->NFreePools == a->NFreePools || heap->Nfp2Lasta[a->NFreePools] == a,
                $"nfp2lasta[{a->NFreePools}] is not the rightmost arena with that count");
            Check(++listed <= heap->ArenaSlots, "usable_arenas loops");
        }
        Check(listed == withFree, $"usable_arenas lists {listed} arenas, {withFree} have free pools");
    }

    private static void ValidatePool(HeapState* heap, PoolHeader* p, bool inRing)
    {
        uint index = p->SizeIndex;
        Check(index < default(TLayout).NumSizeClasses, $"pool 0x{(nuint)p:x}: class {index}");
        uint size = BlockSize(index);
        uint capacity = BlocksPerPool(index);
        Check(p->Count <= capacity, $"pool 0x{(nuint)p:x}: {p->Count} blocks of {capacity}");
        Check(p->MaxNextOffset == (uint)PoolSize - size, $"pool 0x{(nuint)p:x}: maxnextoffset {p->MaxNextOffset}");
        uint carvedBlocks = (p->NextOffset - default(TLayout).PoolOverhead) / size;
        uint freeBlocks = ValidateFreeList(heap, p);
        Check(p->Count + freeBlocks == carvedBlocks, $"pool 0x{(nuint)p:x}: {p->Count} allocated + {freeBlocks} free != {carvedBlocks} carved");
        Check(inRing == (p->FreeBlock != null), $"pool 0x{(nuint)p:x}: {(inRing ? "full but in usedpools" : "has free blocks but is not in usedpools")}");
    }

    /// <summary>Every entry of a pool's free list is the start of a carved block, each once; returns their number.</summary>
    private static uint ValidateFreeList(HeapState* heap, PoolHeader* p)
    {
        uint size = BlockSize(p->SizeIndex), capacity = BlocksPerPool(p->SizeIndex), freeBlocks = 0;
        var seen = new HashSet<nint>();
        for (byte* b = p->FreeBlock; b != null; b = ReadLink(heap, b))
        {
            nuint offset = (nuint)b - (nuint)p;
            Check(offset >= default(TLayout).PoolOverhead && offset < p->NextOffset && (offset - default(TLayout).PoolOverhead) % size == 0,
                $"pool 0x{(nuint)p:x}: free list holds 0x{(nuint)b:x}, not a carved block");
            Check(seen.Add((nint)b) && ++freeBlocks <= capacity, $"pool 0x{(nuint)p:x}: the free list holds 0x{(nuint)b:x} twice (a double free) or loops");
        }
        return freeBlocks;
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new HeapCorruptionException("Heap invariant broken: " + problem);
        }
    }
}
