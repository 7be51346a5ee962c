// A block freed through the wrong heap or allocator reaches the heap that owns it (mimalloc's
// mi_free contract), from any thread, pool and raw blocks alike, across layouts; only memory no
// heap owns goes to the raw free. Before, each of these was a glibc abort.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class UniversalFreeTests
{
    [Fact]
    public void ABlockFreedThroughAnotherHeapReachesItsOwn()
    {
        using var h1 = Heap<T>.Create();
        using var h2 = Heap<T>.Create();
        var blocks = new List<nint>();
        for (int i = 0; i < 500; i++)
        {
            blocks.Add((nint)h1.Malloc((nuint)(16 + i % 200)));
        }
        void* raw = h1.Malloc(10_000);
        foreach (nint p in blocks)
        {
            h2.Free((void*)p); // the wrong heap
        }
        h2.Free(raw);
        Assert.Equal(0UL, h2.GetStats().BlocksInUse);
        h1.DrainDelayedFrees(); // or its next allocation slow path
        MallocStats s = h1.GetStats();
        Assert.Equal(0UL, s.BlocksInUse);
        Assert.Equal(0L, s.RawAllocatedBlocks);
        h1.Validate();
        h2.Validate();
    }

    [Fact]
    public void AcrossLayoutsAndTheStaticApi()
    {
        using var tiny = Heap<T>.Create();
        using var big = Python38.CreateHeap(); // another layout altogether
        void* a = tiny.Malloc(100), b = big.Malloc(100);
        big.Free(a);
        tiny.Free(b);
        tiny.DrainDelayedFrees();
        big.DrainDelayedFrees();
        Assert.Equal(0UL, tiny.GetStats().BlocksInUse);
        Assert.Equal(0UL, big.GetStats().BlocksInUse);
    }

    [Fact]
    public void FromAnotherThreadThroughTheWrongHeap()
    {
        using var h1 = Heap<T>.Create();
        using var h2 = Heap<T>.Create();
        var blocks = new List<nint>();
        for (int i = 0; i < 200; i++)
        {
            blocks.Add((nint)h1.Malloc(64));
        }
        h2.ReleaseOwnership();
        var t = new Thread(() =>
        {
            foreach (nint p in blocks)
            {
                h2.Free((void*)p); // claims h2, then routes each block to h1
            }
        });
        t.Start();
        t.Join();
        h2.TakeOwnership();
        h1.DrainDelayedFrees();
        Assert.Equal(0UL, h1.GetStats().BlocksInUse);
        h1.Validate();
    }

    [Fact]
    public void MemoryNoHeapOwnsStillGoesToTheRawFree()
    {
        using var heap = Heap<T>.Create();
        void* native = NativeMemory.Alloc(100); // CPython's rule: a foreign pointer is the raw allocator's
        heap.Free(native);
        heap.Validate();
    }

    [Fact]
    public void ADebugAllocatorsBlockFreedElsewhereIsReported()
    {
        using var heap = Heap<T>.Create();
        void* p = DebugAllocator.Malloc(40);
        var e = Assert.Throws<HeapCorruptionException>(() => heap.Free(p));
        Assert.Contains("debug-mode allocator", e.Message);
        DebugAllocator.Free(p); // intact, and freed where it belongs
        DebugAllocator.CheckHeap();
    }
}
