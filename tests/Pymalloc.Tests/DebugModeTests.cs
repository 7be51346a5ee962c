// Debug mode (PYMALLOC_DEBUG): each misuse is caught with a clear HeapCorruptionException.
using System;
using System.Runtime.InteropServices;
using Xunit;

namespace Pymalloc.Tests;

/// <summary>A debug-mode allocator, used only by these tests.</summary>
[PymallocConfig(Debug = true)]
internal static partial class DebugAllocator
{
}

/// <summary>A second debug-mode allocator, to free blocks through the wrong one.</summary>
[PymallocConfig(Debug = true, PoolSize = 4096, ArenaSize = 262144)]
internal static partial class OtherDebugAllocator
{
}

public sealed unsafe class DebugModeTests
{
    [Fact]
    public void NewMemoryIsCleanbyteAndFreedMemoryDeadbyte()
    {
        byte* p = (byte*)DebugAllocator.Malloc(40);
        Assert.True(new Span<byte>(p, 40).IndexOfAnyExcept((byte)0xCD) < 0);
        Assert.Equal(0xFD, p[40]);   // trailing guard
        Assert.Equal(0xFD, p[-1]);   // leading guard
        Assert.Equal((byte)'o', p[-8]);
        byte* z = (byte*)DebugAllocator.Calloc(10, 4);
        Assert.True(new Span<byte>(z, 40).IndexOfAnyExcept((byte)0) < 0);
        DebugAllocator.Free(p);
        Assert.Equal(0xDD, p[20]);
        DebugAllocator.Free(z);
        DebugAllocator.CheckHeap();
    }

    [Fact]
    public void AWritePastTheEndIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(24);
        p[24] = 0x41;
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p));
        Assert.Contains("bad trailing pad byte: a write past the end of block", e.Message);
        Assert.Contains("at tail+0: 0x41 *** OUCH", e.Dump);
        Assert.Equal(24u, (uint)e.Size);
        Assert.Equal((nuint)p, e.Address);
        p[24] = 0xFD; // repair, and the block frees normally
        DebugAllocator.Free(p);
    }

    [Fact]
    public void AWriteBeforeTheStartIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(24);
        p[-2] = 0;
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p));
        Assert.Contains("bad leading pad byte: a write before the start", e.Message);
        p[-2] = 0xFD;
        DebugAllocator.Free(p);
    }

    [Fact]
    public void ADoubleFreeIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(100);
        DebugAllocator.Free(p);
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p));
        Assert.Contains("already freed (double free or use after free)", e.Message);
    }

    [Fact]
    public void ADoubleFreeOfARawBlockIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(2000);
        DebugAllocator.Free(p);
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p));
        Assert.Contains("not a block of this allocator", e.Message);
    }

    [Fact]
    public void FreeingThroughAnotherApiIsReported()
    {
        long* p = DebugAllocator.New<long>();
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p));
        Assert.Contains("was allocated with API 't' and passed to free through API 'o'", e.Message);
        DebugAllocator.Delete(p);
    }

    [Fact]
    public void FreeingThroughAnotherAllocatorIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(2000); // raw: not recognisable by address
        var e = Assert.Throws<HeapCorruptionException>(() => OtherDebugAllocator.Free(p));
        Assert.Contains("not a block of this allocator", e.Message);
        DebugAllocator.Free(p);
    }

    [Fact]
    public void APointerThatIsNotABlockIsReported()
    {
        byte* p = (byte*)DebugAllocator.Malloc(64);
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(p + 16));
        Assert.Contains("not a block", e.Message);
        void* foreign = NativeMemory.Alloc(64);
        e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free((byte*)foreign + 32));
        Assert.Contains("not a block of this allocator", e.Message);
        NativeMemory.Free(foreign);
        DebugAllocator.Free(p);
    }

    [Fact]
    public void AWriteToAFreedBlockIsFoundWhenItIsAllocatedAgainOrChecked()
    {
        byte* p = (byte*)OtherDebugAllocator.Malloc(48);
        OtherDebugAllocator.Free(p);
        p[10] = 7; // use after free
        var e = Assert.Throws<HeapCorruptionException>(() => OtherDebugAllocator.CheckHeap());
        Assert.Contains("write to freed memory", e.Message);
        e = Assert.Throws<HeapCorruptionException>(() => OtherDebugAllocator.Malloc(48)); // the same block comes back
        Assert.Contains($"was modified at offset 10 after it was freed", e.Message);
    }

    [Fact]
    public void UsingABlockOfADisposedDebugHeapIsReported()
    {
        var heap = DebugHeap<TinyArenas.Layout>.Create("level 3");
        byte* p = (byte*)heap.Malloc(64);
        heap.Free(heap.Malloc(500));
        heap.CheckHeap();
        heap.Dispose();
        Assert.True(heap.IsDisposed);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Free(p));
        Assert.Contains("level 3: free through a disposed heap: its blocks were released when it was disposed.", e.Message);
        Assert.Throws<HeapCorruptionException>(() => heap.Malloc(8));
        heap.Dispose(); // idempotent
    }

    [Fact]
    public void ADebugHeapCatchesTheSameMisuseAsADebugAllocator()
    {
        using var heap = DebugHeap<TinyArenas.Layout>.Create("scratch");
        byte* p = (byte*)heap.Malloc(16);
        p[16] = 0;
        Assert.Contains("bad trailing pad byte", Assert.Throws<HeapCorruptionException>(() => heap.Free(p)).Message);
        p[16] = 0xFD;
        long* t = heap.New<long>();
        Assert.Contains("API 't'", Assert.Throws<HeapCorruptionException>(() => heap.Free(t)).Message);
        heap.Delete(t);
        heap.Free(p);
        heap.CheckHeap();
    }

    [Fact]
    public void ReallocKeepsTheDataAndChecksTheOldBlock()
    {
        byte* p = (byte*)DebugAllocator.Malloc(10);
        for (int i = 0; i < 10; i++)
        {
            p[i] = (byte)i;
        }
        byte* q = (byte*)DebugAllocator.Realloc(p, 1000);
        Assert.NotEqual((nint)p, (nint)q);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal((byte)i, q[i]);
        }
        Assert.Equal(0xCD, q[10]);
        q[1000] = 1;
        Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Realloc(q, 5));
        q[1000] = 0xFD;
        DebugAllocator.Free(q);
    }

    [Fact]
    public void ADebugAllocatorIsUsableFromAnyThreadWithOrWithoutAScope()
    {
        byte* here = (byte*)DebugAllocator.Malloc(24);
        Exception? error = null;
        var other = new System.Threading.Thread(() =>
        {
            try
            {
                // No thread rule in debug mode: the debug layer's lock orders the calls.
                using DebugAllocator.OwnerScope scope = DebugAllocator.Own();
                byte* there = (byte*)scope.Malloc(24);
                Assert.Equal(0xCD, there[0]); // still the debug layer: CLEANBYTE fill
                scope.Free(there);
                DebugAllocator.Free(here);
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        other.Start();
        other.Join();
        Assert.Null(error);
        var e = Assert.Throws<HeapCorruptionException>(() => DebugAllocator.Free(here)); // freed on the other thread
        Assert.Contains("already freed", e.Message);
    }

    [Fact]
    public void AnOverrunIntoAFreedNeighbourIsReportedBeforeItIsHandedOut()
    {
        // Two neighbours of one class; b is freed, then a's writer runs past a's end, over a's
        // trailer and serial into b's first word — the free-list link pymalloc keeps there. A heap of
        // its own: tests running alongside share the static allocator, and this one corrupts it on purpose.
        using var heap = DebugHeap<DebugAllocator.Layout>.Create("overrun");
        byte* a = (byte*)heap.Malloc(40);
        byte* b = (byte*)heap.Malloc(40);
        Assert.True(b > a);
        heap.Free(b);
        nuint reach = (nuint)(b - a) - 16 + 8; // to b's block start (16 header bytes before b), plus the link
        new Span<byte>(a, (int)reach).Fill(0x41);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Malloc(40));
        Assert.Contains("was overwritten after it was freed", e.Message);
        Assert.Contains("free-list link", e.Message);
        // Nothing was handed out: the heap still works for other classes, and is disposed cleanly.
        Assert.True(heap.Malloc(200) != null);
    }

    [Fact]
    public void ASizeAboveTwoGigabytesIsServedOrRefusedNotACrash()
    {
        nuint size = (nuint)int.MaxValue + 4096;
        byte* p = (byte*)DebugAllocator.Malloc(size);
        if (p != null)
        {
            Assert.Equal(0xCD, p[size - 1]);
            Assert.Equal(0xFD, p[size]); // the trailing guard, past 2 GiB
            DebugAllocator.Free(p);
        }
        Assert.True(DebugAllocator.Malloc(nuint.MaxValue - 8) == null);
    }

    [Fact]
    public void ADebugAllocatorsHeapsAreDebugHeapsToo()
    {
        using DebugHeap<DebugAllocator.Layout> heap = DebugAllocator.CreateHeap();
        void* p = heap.Malloc(24);
        heap.Free(p);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Free(p));
        Assert.Contains("already freed", e.Message);
    }
}
