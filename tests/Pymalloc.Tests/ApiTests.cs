// The entry points' rules: the raw redirect, realloc's keep-or-move rule, calloc's zeroing and
// overflow check, foreign pointers, the address check's edges, and the generated static API.
using System;
using System.Runtime.InteropServices;
using Pymalloc.Generated;
using Pymalloc.Runtime;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

[Collection(nameof(StaticHeapCollection))]
public sealed unsafe class ApiTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(512, true)]
    [InlineData(513, false)]
    [InlineData(100_000, false)]
    public void RequestsOfZeroOrAboveTheThresholdGoToTheRawAllocator(int size, bool pooled)
    {
        using var heap = Heap<L>.Create();
        void* p = heap.Malloc((nuint)size);
        Assert.True(p != null);
        Assert.Equal(pooled, heap.Contains(p));
        Assert.Equal(pooled ? 0L : 1L, heap.GetStats().RawAllocatedBlocks);
        Assert.Equal(pooled ? 1UL : 0UL, heap.GetStats().BlocksInUse);
        heap.Free(p);
        Assert.Equal(0L, heap.GetStats().RawAllocatedBlocks);
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void ImpossibleSizesReturnNull()
    {
        using var heap = Heap<L>.Create();
        Assert.True(heap.Malloc(nuint.MaxValue) == null);
        Assert.True(heap.Malloc(unchecked((nuint)long.MaxValue + 1)) == null);
        Assert.True(heap.Calloc(nuint.MaxValue, 2) == null);
        Assert.True(heap.Calloc((nuint)1 << 62, 2) == null);
        Assert.True(heap.Calloc(2, (nuint)1 << 62) == null);
        void* p = heap.Malloc(8);
        Assert.True(heap.Realloc(p, nuint.MaxValue) == null);
        Assert.Equal(1UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void ReallocKeepsABlockThatStillFitsAndWastesUnderAQuarter()
    {
        using var heap = Heap<L>.Create();
        byte* p = (byte*)heap.Malloc(100); // class 6: 112-byte blocks
        for (int i = 0; i < 100; i++)
        {
            p[i] = (byte)i;
        }
        Assert.Equal((nint)p, (nint)heap.Realloc(p, 112));
        Assert.Equal((nint)p, (nint)heap.Realloc(p, 85)); // 4*85 = 340 > 3*112 = 336

        byte* q = (byte*)heap.Realloc(p, 84);             // 336 > 336 fails: shrink to class 5
        Assert.NotEqual((nint)p, (nint)q);
        Assert.Equal(5u, PymallocCore<L>.PoolOf(q)->SizeIndex);
        for (int i = 0; i < 84; i++)
        {
            Assert.Equal((byte)i, q[i]);
        }

        byte* r = (byte*)heap.Realloc(q, 300);            // grow: move, contents kept
        Assert.Equal(18u, PymallocCore<L>.PoolOf(r)->SizeIndex);
        for (int i = 0; i < 84; i++)
        {
            Assert.Equal((byte)i, r[i]);
        }
        Assert.Equal(1UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void ReallocAllocatesBeforeFreeing()
    {
        using var heap = Heap<L>.Create();
        // p is the only block of its pool: were it freed first, the pool would be empty and the
        // new block (of another class) would be carved from it; allocated first, it gets a new pool.
        byte* p = (byte*)heap.Malloc(16);
        byte* moved = (byte*)heap.Realloc(p, 20);
        Assert.NotEqual((nint)PymallocCore<L>.PoolOf(p), (nint)PymallocCore<L>.PoolOf(moved));
    }

    [Fact]
    public void ReallocOfNullMallocsAndOfARawBlockStaysRaw()
    {
        using var heap = Heap<L>.Create();
        void* p = heap.Realloc(null, 24);
        Assert.True(heap.Contains(p));

        void* raw = heap.Malloc(1000);
        void* stillRaw = heap.Realloc(raw, 10);
        Assert.False(heap.Contains(stillRaw));
        Assert.Equal(1L, heap.GetStats().RawAllocatedBlocks);

        void* zero = heap.Realloc(p, 0); // malloc(0) is raw: the block moves out of the pools
        Assert.False(heap.Contains(zero));
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
        heap.Free(zero);
        heap.Free(stillRaw);
    }

    [Fact]
    public void CallocZeroesAReusedBlock()
    {
        using var heap = Heap<L>.Create();
        byte* p = (byte*)heap.Malloc(64);
        new Span<byte>(p, 64).Fill(0xAB);
        heap.Free(p);
        byte* q = (byte*)heap.Calloc(8, 8);
        Assert.Equal((nint)p, (nint)q);
        Assert.True(new Span<byte>(q, 64).IndexOfAnyExcept((byte)0) < 0);
        byte* big = (byte*)heap.Calloc(100, 10);
        Assert.False(heap.Contains(big));
        Assert.True(new Span<byte>(big, 1000).IndexOfAnyExcept((byte)0) < 0);
        heap.Free(big);
    }

    [Fact]
    public void AForeignPointerIsNotOwnedAndItsFreeGoesToTheRawAllocator()
    {
        using var heap = Heap<L>.Create();
        heap.Malloc(32);
        void* foreign = NativeMemory.Alloc(64);
        Assert.False(heap.Contains(foreign));
        heap.Free(foreign); // released by the raw free; the pools are untouched
        Assert.Equal(1UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void TheAddressCheckCoversExactlyTheArena()
    {
        using var heap = Heap<L>.Create();
        heap.Malloc(16);
        nuint start = heap.State->Arenas[0].Address;
        Assert.True(heap.Contains((void*)start));
        Assert.True(heap.Contains((void*)(start + (nuint)L.ArenaSize - 1)));
        Assert.False(heap.Contains((void*)(start - 1)));
        Assert.False(heap.Contains((void*)(start + (nuint)L.ArenaSize)));
        Assert.False(heap.Contains(null));
        Assert.False(heap.Contains((void*)nuint.MaxValue));
    }

    [Fact]
    public void TheGeneratedStaticAllocatorServesEveryClass()
    {
        PymallocAllocator.TakeOwnership(); // the collection orders its users; this one may run on any thread
        for (nuint size = 1; size <= 600; size++)
        {
            byte* p = (byte*)PymallocAllocator.Malloc(size);
            Assert.True(p != null);
            Assert.Equal(size <= 512, PymallocAllocator.Contains(p));
            if (size <= 512)
            {
                Assert.Equal((uint)((size - 1) >> 4), PymallocCore<L>.PoolOf(p)->SizeIndex);
                Assert.Equal(0u, (uint)((nuint)p % 16));
            }
            p[size - 1] = 1;
            PymallocAllocator.Free(p);
        }
    }
}
