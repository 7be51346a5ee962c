// Heap instances of a generated allocator: independent state, Dispose releasing every arena at
// once, Reset emptying the heap while keeping its arenas, and live counters through Metrics.
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Pymalloc.Generated;
using Xunit;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class HeapInstanceTests
{
    [Fact]
    public void AHeapHasItsOwnPoolsArenasAndStatistics()
    {
        using Heap<PymallocAllocator.Layout> heap = PymallocAllocator.CreateHeap();
        long* p = heap.New<long>();
        Assert.True(heap.Contains(p));
        Assert.False(PymallocAllocator.Contains(p));
        Assert.Equal(1UL, heap.GetStats().BlocksInUse);
        heap.Delete(p);
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void DisposeReturnsEveryArenaAtOnce()
    {
        FaultPolicy* arenas = FaultyMemory.NewPolicy();
        try
        {
            var heap = TinyArenas.CreateHeap();
            heap.SetArenaAllocator(FaultyMemory.Arenas(arenas));
            for (int i = 0; i < 1000; i++)
            {
                heap.Malloc(200);
            }
            Assert.True(arenas->ArenasLive > 10);
            heap.Dispose(); // no frees: a level unload
            Assert.Equal(0, arenas->ArenasLive);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(arenas);
        }
    }

    [Fact]
    public void ResetEmptiesTheHeapAndKeepsItsArenas()
    {
        using var heap = TinyArenas.CreateHeap();
        var first = new List<nint>();
        for (int i = 0; i < 500; i++)
        {
            first.Add((nint)heap.Malloc((nuint)(16 + i % 200)));
        }
        void* raw = heap.Malloc(5000);
        MallocStats before = heap.GetStats();

        heap.Reset();
        heap.Validate();
        MallocStats after = heap.GetStats();
        Assert.Equal(0UL, after.BlocksInUse);
        Assert.Equal(before.ArenasAllocatedCurrent, after.ArenasAllocatedCurrent);
        Assert.Equal(after.ArenasAllocatedCurrent * (ulong)TinyArenas.Layout.MaxPoolsInArena, after.UnusedPools);
        Assert.Equal(1L, before.RawAllocatedBlocks);
        Assert.Equal(0L, after.RawAllocatedBlocks); // raw blocks are freed too: a level unload is one call

        // The next frame reuses the same arenas: nothing new is mapped.
        for (int i = 0; i < 500; i++)
        {
            Assert.True(heap.Contains(heap.Malloc((nuint)(16 + i % 200))));
        }
        Assert.Equal(before.ArenasAllocatedTotal, heap.GetStats().ArenasAllocatedTotal);
        heap.Validate();
    }

    [Fact]
    public void TheMeterPublishesTheHeapsCounters()
    {
        using var heap = TinyArenas.CreateHeap();
        for (int i = 0; i < 200; i++)
        {
            heap.Malloc(200);
        }
        using Meter meter = heap.CreateMeter("Pymalloc.Tests.Instance");
        Dictionary<string, long> seen = MeterReadings.Observe(meter);

        MallocStats s = heap.GetStats();
        Assert.Equal((long)s.ArenasAllocatedCurrent, seen["pymalloc.arenas"]);
        Assert.Equal((long)s.PoolsInUse, seen["pymalloc.pools.in_use"]);
        Assert.Equal((long)(s.ArenasAllocatedCurrent * s.ArenaSize), seen["pymalloc.bytes.mapped"]);
        Assert.Equal(0L, seen["pymalloc.raw_blocks"]);
        Assert.False(seen.ContainsKey("pymalloc.allocations")); // per-operation counting is opt-in (LiveCounters)
        Assert.Equal((long)s.AllocatedBytes, seen["pymalloc.bytes.allocated"]);
        Assert.Equal(200L * 208, seen["pymalloc.bytes.allocated"]);
        Assert.Equal((long)s.AvailableBytes, seen["pymalloc.bytes.available"]);
    }
}
