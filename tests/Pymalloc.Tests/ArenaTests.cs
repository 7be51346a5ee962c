// Arena management on a layout with 4 pools per arena: joining and leaving usable_arenas, the
// sort by free pools (sliding right, nfp2lasta), release of a wholly free arena but never of the
// last usable one.
using System.Collections.Generic;
using Pymalloc.Runtime;
using Xunit;
using L = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class ArenaTests
{
    private const int BlockSize = 256;   // the largest class of the tiny layout
    private const int PerPool = 15;      // (4096 - 48) / 256
    private const int PerArena = 4 * PerPool;

    /// <summary>Fills whole arenas with 256-byte blocks; returns the blocks arena by arena.</summary>
    private static List<nint[]> FillArenas(Heap<L> heap, int arenas)
    {
        var result = new List<nint[]>();
        for (int a = 0; a < arenas; a++)
        {
            var blocks = new nint[PerArena];
            for (int i = 0; i < PerArena; i++)
            {
                blocks[i] = (nint)heap.Malloc(BlockSize);
            }
            result.Add(blocks);
        }
        return result;
    }

    /// <summary>Frees the blocks of pool <paramref name="pool"/> (0..3) of an arena filled by FillArenas.</summary>
    private static void FreePool(Heap<L> heap, nint[] arenaBlocks, int pool)
    {
        for (int i = pool * PerPool; i < (pool + 1) * PerPool; i++)
        {
            heap.Free((void*)arenaBlocks[i]);
            arenaBlocks[i] = 0;
        }
    }

    private static ArenaObject* ArenaOf(Heap<L> heap, nint block)
        => &heap.State->Arenas[PymallocCore<L>.PoolOf((void*)block)->ArenaIndex];

    private static List<nint> UsableArenas(Heap<L> heap)
    {
        var list = new List<nint>();
        for (ArenaObject* a = heap.State->UsableArenas; a != null; a = a->NextArena)
        {
            Assert.True(a->NextArena == null || a->NextArena->PrevArena == a);
            list.Add((nint)a);
        }
        return list;
    }

    [Fact]
    public void AWhollyAllocatedArenaLeavesUsableArenasAndTheNextRequestMapsAnother()
    {
        using var heap = Heap<L>.Create();
        FillArenas(heap, 1);
        Assert.True(heap.State->UsableArenas == null);
        Assert.Equal(1u, (uint)heap.State->ArenasCurrentlyAllocated);

        heap.Malloc(16);
        Assert.Equal(2u, (uint)heap.State->ArenasCurrentlyAllocated);
        Assert.Equal(3u, heap.State->UsableArenas->NFreePools);
        Assert.Equal((nint)heap.State->UsableArenas, (nint)heap.State->Nfp2Lasta[3]);
    }

    [Fact]
    public void AFullArenaWithItsFirstFreePoolGoesToTheHead()
    {
        using var heap = Heap<L>.Create();
        List<nint[]> arenas = FillArenas(heap, 1);
        heap.Malloc(16); // second arena, 3 free pools
        ArenaObject* first = ArenaOf(heap, arenas[0][0]);
        nint freedPool = (nint)PymallocCore<L>.PoolOf((void*)arenas[0][2 * PerPool]);

        FreePool(heap, arenas[0], 2);

        Assert.Equal(1u, first->NFreePools);
        List<nint> usable = UsableArenas(heap);
        Assert.Equal((nint)first, usable[0]);
        Assert.Equal(2, usable.Count);
        Assert.Equal((nint)first, (nint)heap.State->Nfp2Lasta[1]);
        // The freed pool is the one handed out next.
        Assert.Equal(freedPool, (nint)PymallocCore<L>.PoolOf(heap.Malloc(100)));
    }

    [Fact]
    public void AnArenaWithMoreFreePoolsThanItsRightNeighbourSlidesRight()
    {
        using var heap = Heap<L>.Create();
        List<nint[]> arenas = FillArenas(heap, 2);
        heap.Malloc(16); // third arena, C: 3 free pools
        ArenaObject* a = ArenaOf(heap, arenas[0][0]);
        ArenaObject* b = ArenaOf(heap, arenas[1][0]);
        ArenaObject* c = heap.State->UsableArenas;

        FreePool(heap, arenas[0], 0); // A: 1 free -> head
        FreePool(heap, arenas[1], 0); // B: 1 free -> head
        Assert.Equal(new[] { (nint)b, (nint)a, (nint)c }, UsableArenas(heap));
        Assert.Equal((nint)a, (nint)heap.State->Nfp2Lasta[1]);

        FreePool(heap, arenas[1], 1); // B: 2 free -> moves right of A, the last with 1
        Assert.Equal(new[] { (nint)a, (nint)b, (nint)c }, UsableArenas(heap));
        Assert.Equal((nint)a, (nint)heap.State->Nfp2Lasta[1]);
        Assert.Equal((nint)b, (nint)heap.State->Nfp2Lasta[2]);
        Assert.Equal((nint)c, (nint)heap.State->Nfp2Lasta[3]);

        // A: 2 free. It was the rightmost with 1, so the list is still sorted and A stays (case 4);
        // B remains the rightmost with 2 and nothing has 1 any more.
        FreePool(heap, arenas[0], 1);
        Assert.Equal(new[] { (nint)a, (nint)b, (nint)c }, UsableArenas(heap));
        Assert.True(heap.State->Nfp2Lasta[1] == null);
        Assert.Equal((nint)b, (nint)heap.State->Nfp2Lasta[2]);
    }

    [Fact]
    public void AWhollyFreeArenaIsReleasedUnlessItIsTheLastUsableOne()
    {
        using var heap = Heap<L>.Create();
        List<nint[]> arenas = FillArenas(heap, 2);
        void* lone = heap.Malloc(16); // third arena C
        ArenaObject* b = ArenaOf(heap, arenas[1][0]);
        nuint bAddress = b->Address;

        for (int pool = 0; pool < 4; pool++)
        {
            FreePool(heap, arenas[1], pool);
        }
        // B emptied while C was to its right: B is released and its record reused later.
        Assert.Equal(0u, (uint)b->Address);
        Assert.Equal((nint)b, (nint)heap.State->UnusedArenaObjects);
        Assert.Equal(2u, (uint)heap.State->ArenasCurrentlyAllocated);
        Assert.False(heap.Contains((void*)(bAddress + 100)));
        MallocStats s = heap.GetStats();
        Assert.Equal(1UL, s.ArenasReclaimed);
        Assert.Equal(3UL, s.ArenasHighwater);

        // C becomes wholly free but is the last usable arena: it is kept.
        heap.Free(lone);
        Assert.Equal(2u, (uint)heap.State->ArenasCurrentlyAllocated);
        ArenaObject* c = heap.State->UsableArenas;
        Assert.Equal(c->NTotalPools, c->NFreePools);
        Assert.True(c->NextArena == null);
    }

    [Fact]
    public void ValidateFindsABrokenInvariant()
    {
        using var heap = Heap<L>.Create();
        List<nint[]> arenas = FillArenas(heap, 2);
        FreePool(heap, arenas[0], 1);
        heap.Validate();

        PoolHeader* pool = PymallocCore<L>.PoolOf((void*)arenas[1][0]);
        pool->Count--; // as if a block had been freed without being put on the free list
        var e = Assert.Throws<HeapCorruptionException>(heap.Validate);
        Assert.Contains("allocated + 0 free != 15 carved", e.Message);
        pool->Count++;

        heap.State->UsableArenas->NFreePools++;
        Assert.Throws<HeapCorruptionException>(heap.Validate);
        heap.State->UsableArenas->NFreePools--;
        heap.Validate();
    }

    [Fact]
    public void TheArenaObjectArrayStartsAtSixteenAndDoubles()
    {
        using var heap = Heap<L>.Create();
        FillArenas(heap, 16);
        Assert.Equal(16u, heap.State->ArenaSlots);
        heap.Malloc(16);
        Assert.Equal(32u, heap.State->ArenaSlots);
        Assert.Equal(17u, (uint)heap.GetStats().ArenasAllocatedCurrent);
    }
}

/// <summary>An arena source whose arenas start 16 bytes past a pool boundary.</summary>
internal static unsafe class MisalignedArenas
{
    public static int Live;

    public static ArenaAllocator Allocator => new() { Alloc = &Alloc, Free = &Free };

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void* Alloc(void* ctx, nuint size)
    {
        Live++;
        return (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(size + 4096, 4096) + 16;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void Free(void* ctx, void* arena, nuint size)
    {
        Live--;
        System.Runtime.InteropServices.NativeMemory.AlignedFree((byte*)arena - 16);
    }
}

public sealed unsafe class OnePoolArenaTests
{
    [Fact]
    public void AnArenaThatCannotHoldAPoolIsNeverCarved()
    {
        // ArenaSize == PoolSize, and the source's arena is not pool-aligned: it holds no whole pool.
        // It is given back at once and the request falls back to the raw allocator, as when the
        // arena allocator fails; nothing is carved past the arena's end.
        using var heap = Heap<OnePoolArenas.Layout>.Create();
        heap.SetArenaAllocator(MisalignedArenas.Allocator);
        var p = (byte*)heap.Malloc(64);
        Assert.True(p != null);
        new System.Span<byte>(p, 64).Fill(0xAB);
        Assert.False(heap.Contains(p)); // a raw block
        MallocStats s = heap.GetStats();
        Assert.Equal(0UL, s.ArenasAllocatedCurrent);
        Assert.Equal(0UL, s.ArenasAllocatedTotal);
        Assert.Equal(0, MisalignedArenas.Live);
        heap.Validate();
        heap.Free(p);
    }
}
