// Features chosen at compile time (PymallocConfig.LiveCounters, Threading) and the default arena
// source's cache: each one does what it says when on, costs nothing when off, and never changes
// pymalloc's decisions.
using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using CsCheck;
using Pymalloc.Runtime;
using Xunit;
using Counting = Pymalloc.Tests.CountingTiny.Layout;
using Tiny = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class FeatureTests
{
    [Fact]
    public void LiveCountersAreKeptOnlyWhenCompiledIn()
    {
        using var counting = Heap<Counting>.Create();
        using var plain = Heap<Tiny>.Create();
        for (int i = 0; i < 100; i++)
        {
            counting.Malloc(40);
            plain.Malloc(40);
        }
        Assert.Equal(100UL, counting.State->Allocations);
        Assert.Equal((nuint)(100 * 48), counting.State->BytesInBlocks);
        // Off (the default), the fast paths never touch them, yet the figure is still there, derived.
        Assert.Equal(0UL, plain.State->Allocations);
        Assert.Equal((nuint)0, plain.State->BytesInBlocks);
        Assert.Equal((nuint)(100 * 48), PymallocCore<Tiny>.BytesInBlocks(plain.State));
        Assert.Equal(PymallocCore<Counting>.BytesInBlocks(counting.State), PymallocCore<Tiny>.BytesInBlocks(plain.State));
        counting.Validate();
        plain.Validate();
    }

    [Fact]
    public void WithLiveCountersTheMeterAlsoPublishesTheAllocationCount()
    {
        using var heap = Heap<Counting>.Create();
        for (int i = 0; i < 30; i++)
        {
            heap.Malloc(100);
        }
        heap.Malloc(1000); // raw: counted too
        using Meter meter = heap.CreateMeter("Pymalloc.Tests.Counting");
        Dictionary<string, long> seen = MeterReadings.Observe(meter);
        Assert.Equal(31L, seen["pymalloc.allocations"]);
        Assert.Equal(30L * 112, seen["pymalloc.bytes.allocated"]);
    }

    [Fact]
    public void DerivedBytesAgreeWithTheStatisticsUnderAnySequence()
    {
        // Random mallocs and frees (CsCheck): the bytes a meter derives are the statistics' figure.
        Gen.Select(Gen.Int[1, 256].Array[1, 400], Gen.Int[0, 1000].Array[0, 400]).Sample((sizes, frees) =>
        {
            using var heap = Heap<Tiny>.Create();
            var live = new List<nint>();
            for (int i = 0; i < sizes.Length; i++)
            {
                live.Add((nint)heap.Malloc((nuint)sizes[i]));
                if (i < frees.Length && frees[i] % 3 == 0 && live.Count > 0)
                {
                    int k = frees[i] % live.Count;
                    heap.Free((void*)live[k]);
                    live.RemoveAt(k);
                }
            }
            return (ulong)PymallocCore<Tiny>.BytesInBlocks(heap.State) == heap.GetStats().AllocatedBytes;
        }, iter: 200);
    }

    [Fact]
    public void AMeterReadOnAnotherThreadWhileArenasComeAndGoIsSafeAndConsistent()
    {
        // The owner maps and releases many arenas (well past the cache's bound, so they are really
        // unmapped) while another thread derives the bytes in blocks without pause: the walk holds the
        // arena lock, so it never reads an arena being returned. Without it this test faults.
        using var heap = Heap<Tiny>.Create();
        using var stop = new ManualResetEventSlim();
        long reads = 0;
        Exception? failure = null;
        var observer = new Thread(() =>
        {
            try
            {
                while (!stop.IsSet)
                {
                    nuint bytes = PymallocCore<Tiny>.BytesInBlocks(heap.State);
                    Assert.True(bytes <= (nuint)(1 << 30));
                    reads++;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        observer.Start();
        var blocks = new nint[2000];
        for (int round = 0; round < 60; round++)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Malloc(200);
            }
            for (int i = 0; i < blocks.Length; i++)
            {
                heap.Free((void*)blocks[i]);
            }
        }
        stop.Set();
        observer.Join();
        Assert.Null(failure);
        Assert.True(reads > 0);
        Assert.True(heap.GetStats().ArenasAllocatedTotal > 40);
        Assert.Equal((nuint)0, PymallocCore<Tiny>.BytesInBlocks(heap.State));
        heap.Validate();
    }

    [Fact]
    public void TheArenaCacheChangesNoStatistic()
    {
        // The same random history through the default source (with its cache) and through a plain
        // source that maps and unmaps on every call: pymalloc's statistics are identical, text for text.
        FaultPolicy* policy = FaultyMemory.NewPolicy();
        try
        {
            using var cached = Heap<Tiny>.Create();
            using var plain = Heap<Tiny>.Create();
            plain.SetArenaAllocator(FaultyMemory.Arenas(policy));
            var random = new Random(11);
            var a = new List<nint>();
            var b = new List<nint>();
            for (int step = 0; step < 60_000; step++)
            {
                // Waves: grow for a while, then drop most blocks, so arenas are released and mapped again.
                bool grow = (step / 5000) % 2 == 0 ? random.Next(10) < 8 : random.Next(10) < 2;
                if (grow || a.Count == 0)
                {
                    nuint size = (nuint)random.Next(1, 257);
                    a.Add((nint)cached.Malloc(size));
                    b.Add((nint)plain.Malloc(size));
                }
                else
                {
                    int k = random.Next(a.Count);
                    cached.Free((void*)a[k]);
                    plain.Free((void*)b[k]);
                    a[k] = a[^1];
                    b[k] = b[^1];
                    a.RemoveAt(a.Count - 1);
                    b.RemoveAt(b.Count - 1);
                }
            }
            MallocStats s = cached.GetStats();
            Assert.True(s.ArenasReclaimed > 10, $"the history should release arenas ({s.ArenasReclaimed})");
            Assert.Equal(Text(plain.GetStats()), Text(s));
            cached.Validate();
        }
        finally
        {
            NativeMemory.Free(policy);
        }
    }

    [Fact]
    public void ReleasedArenasAreParkedForReuseAndTrimReturnsThem()
    {
        using var heap = Heap<Tiny>.Create();
        var blocks = new List<nint>();
        for (int i = 0; i < 4000; i++)
        {
            blocks.Add((nint)heap.Malloc(256));
        }
        ulong mapped = heap.GetStats().ArenasAllocatedCurrent;
        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }
        // pymalloc released all but its last arena; the cache holds them (up to its bound).
        Assert.Equal(1UL, heap.GetStats().ArenasAllocatedCurrent);
        int parked = heap.State->Cache.Count;
        Assert.Equal((int)Math.Min(mapped - 1, (ulong)ArenaCache.Limit((nuint)Tiny.ArenaSize)), parked);
        // Mapping again takes the parked arenas first, most recent first, without the OS.
        ulong reusedBefore = heap.State->Cache.Reused;
        for (int i = 0; i < 400; i++)
        {
            heap.Malloc(256);
        }
        Assert.True(heap.State->Cache.Reused > reusedBefore);
        Assert.Equal(heap.State->Cache.Count, heap.TrimArenaCache());
        Assert.Equal(0, heap.TrimArenaCache());
        Assert.Equal(0, heap.State->Cache.Count);
        heap.Validate();
    }

    [Fact]
    public void ParkedArenasGoBackToTheOsAfterThePurgeDelay()
    {
        using var heap = Heap<Tiny>.Create();
        var blocks = new List<nint>();
        for (int i = 0; i < 2000; i++)
        {
            blocks.Add((nint)heap.Malloc(256));
        }
        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }
        Assert.True(heap.State->Cache.Count > 0);
        ulong unmapped = heap.State->Cache.Unmapped;
        Thread.Sleep(ArenaCache.PurgeDelayMilliseconds + 100);
        // The next arena slow path purges what has waited too long (here: all of them).
        var more = new List<nint>();
        for (int i = 0; i < 200; i++)
        {
            more.Add((nint)heap.Malloc(256));
        }
        Assert.True(heap.State->Cache.Unmapped > unmapped);
        Assert.Equal(0, heap.State->Cache.Count);
        heap.Validate();
    }

    [Fact]
    public void UncheckedThreadingHandsTheAllocatorFromThreadToThreadWithNoOwner()
    {
        Assert.False(UncheckedAllocator.Layout.ChecksOwner);
        void* p = null;
        RunOnOtherThread(() => p = UncheckedAllocator.Malloc(64));
        // Another thread, in turn (the contract: one at a time), allocates and frees with no claim or hand-over:
        // the free is done at once, not queued for an owner.
        RunOnOtherThread(() =>
        {
            void* q = UncheckedAllocator.Malloc(64);
            UncheckedAllocator.Free(p);
            UncheckedAllocator.Free(q);
        });
        Assert.Equal(0UL, UncheckedAllocator.GetStats().AllocatedBytes);
        Assert.Equal(0, UncheckedAllocator.State->OwnerThread);
        Assert.Equal((nint)0, UncheckedAllocator.State->DelayedFrees);
        UncheckedAllocator.Validate();
    }

    [Fact]
    public void AnUncheckedHeapInstanceDoesNotRefuseAnotherThread()
    {
        using var heap = UncheckedAllocator.CreateHeap();
        void* p = heap.Malloc(32);
        RunOnOtherThread(() =>
        {
            void* q = heap.Malloc(32); // a checked heap would throw here
            heap.Free(q);
            heap.Free(p);
        });
        Assert.Equal(0UL, heap.GetStats().AllocatedBytes);
        heap.Validate();
    }

    [Fact]
    public void DebugModeReportsOverlappingCallsUnderTheUncheckedModel()
    {
        // Thread A is inside a call (its raw allocation blocks in the raw allocator) when thread B
        // calls: under Threading = Unchecked that overlap breaks the contract, and debug mode says so.
        UncheckedDebugAllocator.SetRawAllocator(BlockingRaw.Allocator);
        void* first = UncheckedDebugAllocator.Malloc(16); // fine: nobody else is inside
        UncheckedDebugAllocator.Free(first);
        BlockingRaw.Armed = true;
        var inside = new Thread(() => UncheckedDebugAllocator.Free(UncheckedDebugAllocator.Malloc(BlockingRaw.BlockingSize)));
        inside.Start();
        Assert.True(BlockingRaw.Entered.Wait(TimeSpan.FromSeconds(10)));
        var e = Assert.Throws<InvalidOperationException>(() => UncheckedDebugAllocator.Malloc(16));
        Assert.Contains("Threading = PymallocThreading.Unchecked", e.Message);
        BlockingRaw.Release.Set();
        inside.Join();
        // Once the calls no longer overlap, another thread may use it again.
        RunOnOtherThread(() => UncheckedDebugAllocator.Free(UncheckedDebugAllocator.Malloc(16)));
        UncheckedDebugAllocator.CheckHeap();
    }

    private static class BlockingRaw
    {
        public const int BlockingSize = 4321;
        public static volatile bool Armed;
        public static readonly ManualResetEventSlim Entered = new();
        public static readonly ManualResetEventSlim Release = new();

        public static RawAllocator Allocator => new() { Malloc = &Malloc, Calloc = &Calloc, Realloc = &Realloc, Free = &Free };

        [UnmanagedCallersOnly]
        private static void* Malloc(void* ctx, nuint size)
        {
            // The debug layer adds its 32 bytes of guards to the request.
            if (Armed && size >= BlockingSize && size < BlockingSize + 64)
            {
                Entered.Set();
                Release.Wait();
            }
            return NativeMemory.Alloc(size == 0 ? 1 : size);
        }

        [UnmanagedCallersOnly]
        private static void* Calloc(void* ctx, nuint count, nuint size) => NativeMemory.AllocZeroed(Math.Max(count, 1), Math.Max(size, 1));

        [UnmanagedCallersOnly]
        private static void* Realloc(void* ctx, void* ptr, nuint size) => NativeMemory.Realloc(ptr, size == 0 ? 1 : size);

        [UnmanagedCallersOnly]
        private static void Free(void* ctx, void* ptr) => NativeMemory.Free(ptr);
    }

    private static string Text(MallocStats stats)
    {
        var w = new StringWriter();
        stats.WriteTo(w);
        string text = w.ToString();
        return text[..text.IndexOf("Total", StringComparison.Ordinal)];
    }

    private static void RunOnOtherThread(Action action) => Assert.Null(OtherThread.Run(action));
}
