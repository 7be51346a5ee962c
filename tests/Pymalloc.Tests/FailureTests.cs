// Failing memory and limits: the heap reports failure, stays consistent, and loses or moves
// nothing already allocated.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Pymalloc.Runtime;
using Pymalloc.Traces;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class FailureTests : IDisposable
{
    // Policies are the allocators' context: they must outlive the heaps (disposed at the end of
    // each test method), so they are freed when xunit disposes the test class.
    private readonly List<nint> _policies = new();

    private FaultPolicy* Policy(int failFrom = 0, int failEvery = 0)
    {
        FaultPolicy* p = FaultyMemory.NewPolicy(failFrom, failEvery);
        _policies.Add((nint)p);
        return p;
    }

    public void Dispose()
    {
        foreach (nint p in _policies)
        {
            NativeMemory.Free((void*)p);
        }
    }

    private static void AssertConsistent(MallocStats s)
    {
        Assert.Equal(s.ArenasAllocatedCurrent * s.ArenaSize,
            s.AllocatedBytes + s.AvailableBytes + s.UnusedPools * s.PoolSize + s.PoolHeaderBytes + s.QuantizationBytes + s.ArenaAlignmentBytes);
    }

    [Fact]
    public void WhenNoArenaCanBeMappedSmallRequestsFallBackToTheRawAllocator()
    {
        using var heap = Heap<L>.Create();
        FaultPolicy* arenas = Policy(failFrom: 1);
        heap.SetArenaAllocator(FaultyMemory.Arenas(arenas));

        void* p = heap.Malloc(32);
        Assert.True(p != null);
        Assert.False(heap.Contains(p));                 // raw, as CPython does when new_arena fails
        Assert.Equal(1L, heap.GetStats().RawAllocatedBlocks);
        Assert.Equal(0UL, heap.GetStats().ArenasAllocatedTotal);
        heap.Free(p);
        Assert.Equal(0L, heap.GetStats().RawAllocatedBlocks);
    }

    [Fact]
    public void WithTheFailBehaviourSmallRequestsReturnNullAndAllocateThrows()
    {
        using var heap = Heap<L>.Create();
        FaultPolicy* arenas = Policy(failFrom: 1);
        heap.SetArenaAllocator(FaultyMemory.Arenas(arenas));
        heap.SetMemoryLimit(0, MemoryLimitBehavior.Fail);

        Assert.True(heap.Malloc(32) == null);
        Assert.True(heap.Calloc(4, 8) == null);
        Assert.Throws<OutOfMemoryException>(() => heap.Allocate(32));
        void* big = heap.Malloc(4096);                 // not a small request: still raw
        Assert.True(big != null);
        heap.Free(big);
    }

    [Fact]
    public void TheArenaLimitStopsMappingAndTheHeapStaysConsistent()
    {
        using var heap = Heap<T>.Create();             // 4 pools of 4 KiB per arena
        heap.SetMemoryLimit(1, MemoryLimitBehavior.FallBackToRaw);
        var blocks = new List<nint>();
        for (int i = 0; i < 4 * 15; i++)
        {
            blocks.Add((nint)heap.Malloc(256));
        }
        Assert.All(blocks, b => Assert.True(heap.Contains((void*)b)));
        void* over = heap.Malloc(256);
        Assert.False(heap.Contains(over));              // past MAX_ARENAS: raw
        Assert.Equal(1UL, heap.GetStats().ArenasAllocatedCurrent);
        AssertConsistent(heap.GetStats());

        heap.SetMemoryLimit(1, MemoryLimitBehavior.Fail);
        Assert.True(heap.Malloc(256) == null);
        heap.Free((void*)blocks[0]);                   // room again in the arena
        Assert.True(heap.Contains(heap.Malloc(256)));
        heap.Free(over);
    }

    [Fact]
    public void AFailedRawReallocLeavesTheBlockIntact()
    {
        using var heap = Heap<L>.Create();
        FaultPolicy* raw = Policy();
        heap.SetRawAllocator(FaultyMemory.Raw(raw));
        byte* p = (byte*)heap.Malloc(300);
        new Span<byte>(p, 300).Fill(7);

        raw->FailFrom = raw->Calls + 1;                // every raw call fails from now on
        Assert.True(heap.Realloc(p, 5000) == null);    // the move needs a raw block: refused
        Assert.True(new Span<byte>(p, 300).IndexOfAnyExcept((byte)7) < 0);
        Assert.True(heap.Contains(p));
        Assert.True(heap.Malloc(1000) == null);
        Assert.True(heap.Calloc(100, 100) == null);
        Assert.Equal(1UL, heap.GetStats().BlocksInUse);
        Assert.Equal(0L, heap.GetStats().RawAllocatedBlocks);

        raw->FailFrom = 0;
        byte* q = (byte*)heap.Realloc(p, 5000);
        Assert.True(q != null);
        Assert.True(new Span<byte>(q, 300).IndexOfAnyExcept((byte)7) < 0);
        heap.Free(q);
    }

    [Fact]
    public void AFailingArenaObjectArrayLeavesTheHeapUsable()
    {
        using var heap = Heap<T>.Create();
        FaultPolicy* raw = Policy(failFrom: 1); // the arena-object array cannot be allocated
        heap.SetRawAllocator(FaultyMemory.Raw(raw));
        Assert.True(heap.Malloc(16) == null);          // no arena, and the raw fallback fails too
        Assert.Equal(0u, heap.State->ArenaSlots);
        raw->FailFrom = 0;
        Assert.True(heap.Contains(heap.Malloc(16)));    // works once memory is back
    }

    [Fact]
    public void AllocatorsCanOnlyBeReplacedBeforeFirstUse()
    {
        using var heap = Heap<L>.Create();
        heap.Free(heap.Malloc(16));
        Assert.Throws<InvalidOperationException>(() => heap.SetArenaAllocator(default));
        Assert.Throws<InvalidOperationException>(() => heap.SetRawAllocator(default));
        using var fresh = Heap<L>.Create();
        Assert.Throws<ArgumentException>(() => fresh.SetRawAllocator(new RawAllocator { Free = (delegate* unmanaged<void*, void*, void>)1 }));
    }

    [Fact]
    public void RandomFailuresNeverCorruptOrLoseABlock()
    {
        var heap = Heap<T>.Create(); // disposed below, to check that every arena went back
        FaultPolicy* arenas = Policy(failEvery: 3);
        FaultPolicy* raw = Policy(failEvery: 7);
        heap.SetArenaAllocator(FaultyMemory.Arenas(arenas));
        heap.SetRawAllocator(FaultyMemory.Raw(raw));
        var random = new Random(5);
        var live = new List<(nint P, int Size, byte Fill)>();
        int nulls = 0;
        for (int i = 0; i < 200_000; i++)
        {
            if (live.Count == 0 || random.Next(100) < 55)
            {
                int size = random.Next(0, 400);
                var p = (byte*)heap.Malloc((nuint)size);
                if (p == null)
                {
                    nulls++;
                    continue;
                }
                byte fill = (byte)random.Next(256);
                new Span<byte>(p, size).Fill(fill);
                live.Add(((nint)p, size, fill));
            }
            else
            {
                int k = random.Next(live.Count);
                (nint p, int size, byte fill) = live[k];
                Assert.True(new Span<byte>((void*)p, size).IndexOfAnyExcept(fill) < 0, "a block was overwritten");
                if (random.Next(4) == 0)
                {
                    int newSize = random.Next(0, 600);
                    var q = (byte*)heap.Realloc((void*)p, (nuint)newSize);
                    if (q == null)
                    {
                        continue; // failed: the old block stays, unchanged
                    }
                    Assert.True(new Span<byte>(q, Math.Min(size, newSize)).IndexOfAnyExcept(fill) < 0, "realloc lost data");
                    new Span<byte>(q, newSize).Fill(fill);
                    live[k] = ((nint)q, newSize, fill);
                }
                else
                {
                    heap.Free((void*)p);
                    live[k] = live[^1];
                    live.RemoveAt(live.Count - 1);
                }
            }
            if (i % 10_000 == 0)
            {
                heap.Validate();
            }
        }
        Assert.True(arenas->Failures > 0 && raw->Failures > 0 && nulls > 0, "the test should have injected failures");
        heap.Validate();
        MallocStats s = heap.GetStats();
        AssertConsistent(s);
        foreach ((nint p, int size, byte fill) in live)
        {
            Assert.True(new Span<byte>((void*)p, size).IndexOfAnyExcept(fill) < 0, "a block was overwritten");
            heap.Free((void*)p);
        }
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
        Assert.Equal(0L, heap.GetStats().RawAllocatedBlocks);
        heap.Dispose();
        Assert.Equal(0, arenas->ArenasLive);            // every arena went back through the arena allocator
    }

    [Fact]
    public void ReplayWithCPythonsArenaPlacementReproducesItsOriginalStatistics()
    {
        AllocationTrace trace = AllocationTrace.Load(TestData.PathOf("s0_small.trace.gz"));
        using var placement = new ArenaPlacement(TestData.PathOf("s0_small.arenas.txt"), (nuint)L.PoolSize);
        using var heap = Heap<L>.Create();
        heap.SetArenaAllocator(placement.Allocator);
        CurrentHeap<L>.Heap = heap;
        TraceReplayer.Replay<CurrentHeap<L>>(trace, new nint[trace.MaxId], placement.OpIndex);

        Assert.Empty(placement.Mismatches());
        string expected = TestData.ThroughFirstTotal(File.ReadAllText(TestData.PathOf("s0_small.stats.txt")));
        Assert.Equal(expected, TestData.ThroughFirstTotal(heap.GetStats().ToString()));
        Assert.Contains("# bytes lost to arena alignment    =               49,152", expected); // 3 arenas lost a pool
    }
}

/// <summary>Tests that change the process environment: not run in parallel with heap-creating tests.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection
{
}

[Collection(nameof(EnvironmentCollection))]
public sealed unsafe class BypassTests
{
    [Fact]
    public void TheBypassSendsEveryRequestToTheRawAllocator()
    {
        Environment.SetEnvironmentVariable("PYMALLOC_BYPASS", "1");
        Heap<L> heap;
        try
        {
            heap = Heap<L>.Create();
        }
        finally
        {
            Environment.SetEnvironmentVariable("PYMALLOC_BYPASS", null);
        }
        using (heap)
        {
            void* p = heap.Malloc(16);
            Assert.False(heap.Contains(p));
            Assert.Equal(0UL, heap.GetStats().ArenasAllocatedTotal);
            Assert.Equal(1L, heap.GetStats().RawAllocatedBlocks);
            heap.Free(p);
        }
    }
}
