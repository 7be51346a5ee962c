// The hardened release mode (PymallocConfig.Hardened): wrong frees are refused before they touch
// a free list, a free list written after free never sends an allocation outside its pool, and a
// refused call changes no live block. Without the mode, Validate finds what it would have refused.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;
using H = Pymalloc.Tests.HardenedTiny.Layout;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class HardenedTests
{
    private static List<nint> Fill(Heap<H> heap, int n, nuint size)
    {
        var blocks = new List<nint>();
        for (int i = 0; i < n; i++)
        {
            var p = (byte*)heap.Malloc(size);
            new Span<byte>(p, (int)size).Fill((byte)i);
            blocks.Add((nint)p);
        }
        return blocks;
    }

    private static void AssertIntact(List<nint> blocks, nuint size, int skip = -1)
    {
        for (int i = 0; i < blocks.Count; i++)
        {
            if (i != skip)
            {
                Assert.True(new Span<byte>((void*)blocks[i], (int)size).IndexOfAnyExcept((byte)i) < 0, $"block {i} changed");
            }
        }
    }

    [Fact]
    public void AnInteriorPointerIsRefused()
    {
        using var heap = HardenedTiny.CreateHeap();
        List<nint> blocks = Fill(heap, 50, 48);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Free((byte*)blocks[7] + 8));
        Assert.Contains("not the start of a live block", e.Message);
        AssertIntact(blocks, 48);
        heap.Validate();
    }

    [Fact]
    public void ADoubleFreeIsRefused()
    {
        using var heap = HardenedTiny.CreateHeap();
        List<nint> blocks = Fill(heap, 50, 48);
        heap.Free((void*)blocks[3]);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Free((void*)blocks[3]));
        Assert.Contains("double free", e.Message);
        heap.Validate();
        // The block is handed out once, not twice.
        var again = new HashSet<nint> { (nint)heap.Malloc(48), (nint)heap.Malloc(48) };
        Assert.Equal(2, again.Count);
        heap.Validate();
    }

    [Fact]
    public void ALiveBlockThatLooksLikeAFreeOneIsStillFreed()
    {
        // A live block whose first word points at another block of its pool (a linked list, say):
        // the double-free check walks the pool's free list once, finds it absent, and frees it.
        using var heap = HardenedTiny.CreateHeap();
        var a = (nint*)heap.Malloc(48);
        var b = (nint*)heap.Malloc(48);
        *a = (nint)b;
        *b = 0;
        heap.Free(a);
        heap.Free(b);
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
        heap.Validate();
    }

    [Fact]
    public void APointerThatIsNotThisHeapsIsRefused()
    {
        using var heap = HardenedTiny.CreateHeap();
        using var other = HardenedTiny.CreateHeap();
        void* theirs = other.Malloc(48);
        void* native = NativeMemory.Alloc(64);
        try
        {
            Assert.Contains("neither a block of this heap", Assert.Throws<HeapCorruptionException>(() => heap.Free(native)).Message);
            void* raw = heap.Malloc(5000);
            heap.Free(raw);
            Assert.Throws<HeapCorruptionException>(() => heap.Free(raw)); // a raw block freed twice
        }
        finally
        {
            NativeMemory.Free(native);
            other.Free(theirs);
            heap.Free(other.Malloc(48)); // another heap's block is not foreign: it is handed to its heap
            other.DrainDelayedFrees();
            Assert.Equal(0UL, other.GetStats().BlocksInUse);
        }
        heap.Validate();
        other.Validate();
    }

    [Fact]
    public void AFreeListWrittenAfterFreeNeverLeadsOutOfItsPool()
    {
        using var heap = HardenedTiny.CreateHeap();
        List<nint> blocks = Fill(heap, 40, 64);
        byte* outside = (byte*)NativeMemory.Alloc(64);
        try
        {
            heap.Free((void*)blocks[10]);
            heap.Free((void*)blocks[20]); // the list: 20 -> 10 -> ...
            *(byte**)blocks[20] = outside; // a use-after-free write over 20's link
            var e = Assert.Throws<HeapCorruptionException>(() => heap.Malloc(64));
            Assert.Contains("outside the pool", e.Message);
            Assert.Throws<HeapCorruptionException>(() => heap.Malloc(64)); // still refused: nothing was handed out
            var p = (byte*)heap.Malloc(100);  // other classes are unaffected
            Assert.True(p != outside && heap.Contains(p));
        }
        finally
        {
            NativeMemory.Free(outside);
        }
    }

    [Fact]
    public void WrongFreesFromAnotherThreadAreReportedWhenDrainedAndTheRestHappen()
    {
        using var heap = HardenedTiny.CreateHeap();
        List<nint> blocks = Fill(heap, 20, 48);
        var t = new Thread(() =>
        {
            heap.Free((void*)blocks[1]);
            heap.Free((byte*)blocks[2] + 8); // interior
            heap.Free((void*)blocks[3]);
        });
        t.Start();
        t.Join();
        var e = Assert.Throws<HeapCorruptionException>(() => heap.DrainDelayedFrees());
        Assert.Contains("handed over by another thread", e.Message);
        Assert.True(e.InnerException!.Message.Contains($"{(nuint)((byte*)blocks[2] + 8):x}"), e.Message);
        Assert.Equal(18UL, heap.GetStats().BlocksInUse); // blocks 1 and 3 were freed all the same
        heap.Validate();
    }

    [Fact]
    public void WithoutTheModeValidateFindsWhatItWouldHaveRefused()
    {
        // A double free and an interior free from another thread wait in the handed-over list:
        // Validate reports them before the owner drains them into its free lists.
        using var heap = Heap<T>.Create();
        void* a = heap.Malloc(48), b = heap.Malloc(48);
        var t = new Thread(() =>
        {
            heap.Free(a);
            heap.Free(a);
        });
        t.Start();
        t.Join();
        Assert.Contains("twice", Assert.Throws<HeapCorruptionException>(() => heap.Validate()).Message);
        *(nint*)a = 0; // forget the handed-over list (test only), then an interior pointer
        heap.State->DelayedFrees = 0;
        var u = new Thread(() => heap.Free((byte*)b + 8));
        u.Start();
        u.Join();
        Assert.Contains("not a live block's start", Assert.Throws<HeapCorruptionException>(() => heap.Validate()).Message);
        heap.State->DelayedFrees = 0;
    }
}
