// A heap's figures as System.Diagnostics.Metrics instruments, for dotnet-counters and OpenTelemetry.
// Arenas and pools are counters the heap keeps on its slow paths; the bytes in blocks are derived
// from the pools when a listener reads them (about once a second) unless the allocator opted into
// live counters (PymallocConfig.LiveCounters), which also publishes the allocation count. So the
// fast paths pay nothing for being observable, and observing is safe from any thread.
#if NET8_0_OR_GREATER // netstandard2.1 has no System.Diagnostics.Metrics; generated code leaves CreateMeter out there
using System.ComponentModel;
using System.Diagnostics.Metrics;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>Creates the meter of a heap.</summary>
public static unsafe class PymallocMetrics
{
    // What a meter of a disposed heap reads: a heap with nothing in it.
    private static readonly HeapState* s_empty = (HeapState*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)sizeof(HeapState));

    /// <summary>
    /// A meter named <paramref name="name"/> with the heap's instruments: <c>pymalloc.arenas</c> (mapped now),
    /// <c>pymalloc.arenas.mapped</c> (over the heap's life), <c>pymalloc.arenas.cached</c> (freed arenas kept
    /// for reuse), <c>pymalloc.pools.in_use</c>, <c>pymalloc.bytes.mapped</c> (bytes of the arenas),
    /// <c>pymalloc.bytes.allocated</c> and <c>pymalloc.bytes.available</c> (as in CPython's statistics),
    /// <c>pymalloc.raw_blocks</c>, and with live counters <c>pymalloc.allocations</c> (a counter: dotnet-counters
    /// shows its rate). Dispose the meter to stop publishing; dispose it before the heap.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Meter Create<TLayout>(string name, HeapState* heap) where TLayout : struct, IPymallocLayout
    {
        var meter = new Meter(name);
        // A heap's block is never freed (a disposed heap's is kept for reuse), so reading it is always
        // safe; a meter that outlives its heap sees another generation and reports zeros.
        ulong generation = heap->Generation;
        nint h = (nint)heap;
        HeapState* Alive() => ((HeapState*)h)->Generation == generation ? (HeapState*)h : s_empty;
        long arenaSize = (long)PymallocCore<TLayout>.ArenaSize;
        meter.CreateObservableUpDownCounter("pymalloc.arenas", () => (long)Alive()->ArenasCurrentlyAllocated, "{arena}", "Arenas mapped now");
        meter.CreateObservableCounter("pymalloc.arenas.mapped", () => (long)Alive()->TimesArenaAllocated, "{arena}", "Arenas mapped over the heap's life");
        meter.CreateObservableUpDownCounter("pymalloc.arenas.cached", () => (long)Alive()->Cache.Count, "{arena}", "Freed arenas kept for reuse, not yet returned to the OS");
        meter.CreateObservableUpDownCounter("pymalloc.pools.in_use", () => (long)Alive()->PoolsInUse, "{pool}", "Pools holding at least one block");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.mapped", () => (long)Alive()->ArenasCurrentlyAllocated * arenaSize, "By", "Bytes of the arenas mapped now");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.allocated", () => (long)PymallocCore<TLayout>.BytesInBlocks(Alive()), "By", "Bytes in allocated pool blocks");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.available", () => (long)Alive()->PoolBlockBytes - (long)PymallocCore<TLayout>.BytesInBlocks(Alive()), "By", "Bytes in free blocks of the pools in use");
        meter.CreateObservableUpDownCounter("pymalloc.raw_blocks", () => (long)Alive()->RawAllocatedBlocks, "{block}", "Blocks held by the raw allocator");
        if (default(TLayout).LiveCounters)
        {
            meter.CreateObservableCounter("pymalloc.allocations", () => (long)Alive()->Allocations, "{allocation}", "Allocations served (dotnet-counters shows the rate)");
        }
        return meter;
    }
}
#endif
