// Each pool transition of obmalloc.c, observed through the heap's own state: a fresh pool's
// header, lazy carving, LIFO reuse, used -> full -> used, used -> empty -> reused.
using Pymalloc.Runtime;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class PoolTests
{
    private static PoolHeader* Head(HeapState* h, uint index) => PoolHeader.PTA(HeapState.UsedPools(h), (int)index);

    private static bool HasUsedPool(HeapState* h, uint index) => HeapState.UsedPools(h)[2 * index] != Head(h, index);

    [Fact]
    public void FirstRequestCarvesAPoolAndInitialisesItsHeader()
    {
        using var heap = Heap<L>.Create();
        Assert.False(HasUsedPool(heap.State, 0));

        byte* p = (byte*)heap.Malloc(10);

        PoolHeader* pool = PymallocCore<L>.PoolOf(p);
        Assert.Equal((nint)((byte*)pool + L.PoolOverhead), (nint)p);
        Assert.Equal(0u, pool->SizeIndex);
        Assert.Equal(1u, pool->Count);
        Assert.Equal((uint)(L.PoolOverhead + 2 * 16), pool->NextOffset);
        Assert.Equal((uint)(L.PoolSize - 16), pool->MaxNextOffset);
        Assert.Equal((nint)(p + 16), (nint)pool->FreeBlock);
        Assert.True(HasUsedPool(heap.State, 0));
        Assert.Equal(0u, pool->ArenaIndex);
        Assert.Equal(L.MaxPoolsInArena - 1, (int)heap.State->Arenas[0].NFreePools);
    }

    [Fact]
    public void BlocksAreCarvedInAddressOrderAndFreedBlocksReusedLastInFirstOut()
    {
        using var heap = Heap<L>.Create();
        byte* a = (byte*)heap.Malloc(64);
        byte* b = (byte*)heap.Malloc(64);
        byte* c = (byte*)heap.Malloc(60);
        Assert.Equal((nint)(a + 64), (nint)b);
        Assert.Equal((nint)(b + 64), (nint)c);

        heap.Free(a);
        heap.Free(c);
        Assert.Equal((nint)c, (nint)heap.Malloc(64));
        Assert.Equal((nint)a, (nint)heap.Malloc(64));
        Assert.Equal((nint)(c + 64), (nint)heap.Malloc(64));
    }

    [Fact]
    public void FullPoolLeavesTheRingAndRejoinsAtItsFront()
    {
        using var heap = Heap<L>.Create();
        const uint cls = 31; // 512-byte blocks: 31 to a 16 KiB pool
        uint perPool = PymallocCore<L>.BlocksPerPool(cls);
        Assert.Equal(31u, perPool);

        var first = new byte*[perPool];
        for (int i = 0; i < perPool; i++)
        {
            first[i] = (byte*)heap.Malloc(512);
        }
        PoolHeader* full = PymallocCore<L>.PoolOf(first[0]);
        Assert.False(HasUsedPool(heap.State, cls)); // full: in no list
        Assert.True(full->FreeBlock == null);

        byte* other = (byte*)heap.Malloc(500);
        PoolHeader* second = PymallocCore<L>.PoolOf(other);
        Assert.NotEqual((nint)full, (nint)second);
        Assert.Equal((nint)second, (nint)HeapState.UsedPools(heap.State)[2 * cls]);

        // A block of the full pool comes back: the pool is linked before usedpools[2i], the ring's
        // first pool, which puts it right after the fake header — at the front.
        heap.Free(first[5]);
        PoolHeader* head = Head(heap.State, cls);
        Assert.Equal((nint)full, (nint)head->NextPool);
        Assert.Equal((nint)second, (nint)full->NextPool);
        Assert.Equal((nint)head, (nint)second->NextPool);
        Assert.Equal((nint)second, (nint)head->PrevPool);

        // So the next request of the class takes the freed block back.
        Assert.Equal((nint)first[5], (nint)heap.Malloc(512));
    }

    [Fact]
    public void EmptyPoolGoesToFreepoolsAndKeepsItsFreeListForTheSameClass()
    {
        using var heap = Heap<L>.Create();
        byte* a = (byte*)heap.Malloc(48);
        byte* b = (byte*)heap.Malloc(48);
        PoolHeader* pool = PymallocCore<L>.PoolOf(a);
        ArenaObject* arena = &heap.State->Arenas[0];

        heap.Free(a);
        heap.Free(b);
        Assert.Equal(0u, pool->Count);
        Assert.False(HasUsedPool(heap.State, 2));
        Assert.Equal((nint)pool, (nint)arena->FreePools);
        Assert.Equal((uint)L.MaxPoolsInArena, arena->NFreePools);
        uint nextOffset = pool->NextOffset;

        // Same class: the cached header and free list are reused as they are.
        Assert.Equal((nint)b, (nint)heap.Malloc(40));
        Assert.Equal(nextOffset, pool->NextOffset);
        heap.Free(b);

        // Another class: the header is initialised afresh.
        byte* c = (byte*)heap.Malloc(200);
        Assert.Equal((nint)pool, (nint)PymallocCore<L>.PoolOf(c));
        Assert.Equal(12u, pool->SizeIndex);
        Assert.Equal((nint)((byte*)pool + L.PoolOverhead), (nint)c);
    }

    [Fact]
    public void StatisticsCountPoolsBlocksAndWaste()
    {
        using var heap = Heap<L>.Create();
        for (int i = 0; i < 3; i++)
        {
            heap.Malloc(16);
        }
        heap.Malloc(33);

        MallocStats s = heap.GetStats();
        Assert.Equal(new SizeClassStats(0, 16, 1, 3, 1021 - 3, 1021), s.SizeClasses[0]);
        Assert.Equal(new SizeClassStats(2, 48, 1, 1, 340 - 1, 340), s.SizeClasses[2]);
        Assert.Equal(62UL, s.UnusedPools);
        Assert.Equal(2UL * 48, s.PoolHeaderBytes);
        Assert.Equal((16336UL % 16) + (16336UL % 48), s.QuantizationBytes);
        Assert.Equal(s.ArenasAllocatedCurrent * s.ArenaSize,
            s.AllocatedBytes + s.AvailableBytes + s.UnusedPools * s.PoolSize + s.PoolHeaderBytes + s.QuantizationBytes + s.ArenaAlignmentBytes);
    }
}
