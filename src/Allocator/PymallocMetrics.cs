// Live counters of a heap as System.Diagnostics.Metrics instruments, for dotnet-counters and
// OpenTelemetry. Every instrument reads a counter the heap keeps itself — arenas and pools on the
// slow paths, allocations and bytes in blocks with a plain increment by the owner on the fast path —
// so observing never walks the heap or takes a lock, and can run on any thread (values may be a
// moment old; 64-bit reads are never torn).
using System.Diagnostics.Metrics;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>Creates the meter of a heap.</summary>
public static unsafe class PymallocMetrics
{
    /// <summary>
    /// A meter named <paramref name="name"/> with the heap's instruments: <c>pymalloc.arenas</c> (mapped now),
    /// <c>pymalloc.arenas.mapped</c> (over the heap's life), <c>pymalloc.pools.in_use</c>,
    /// <c>pymalloc.bytes.mapped</c> (bytes of the arenas), <c>pymalloc.bytes.allocated</c> and
    /// <c>pymalloc.bytes.available</c> (as in CPython's statistics), <c>pymalloc.allocations</c> (a counter:
    /// dotnet-counters shows its rate) and <c>pymalloc.raw_blocks</c>.
    /// Dispose the meter to stop publishing.
    /// </summary>
    public static Meter Create(string name, HeapState* heap, long arenaSize)
    {
        var meter = new Meter(name);
        nint h = (nint)heap;
        meter.CreateObservableUpDownCounter("pymalloc.arenas", () => (long)((HeapState*)h)->ArenasCurrentlyAllocated, "{arena}", "Arenas mapped now");
        meter.CreateObservableCounter("pymalloc.arenas.mapped", () => (long)((HeapState*)h)->TimesArenaAllocated, "{arena}", "Arenas mapped over the heap's life");
        meter.CreateObservableUpDownCounter("pymalloc.pools.in_use", () => (long)((HeapState*)h)->PoolsInUse, "{pool}", "Pools holding at least one block");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.mapped", () => (long)((HeapState*)h)->ArenasCurrentlyAllocated * arenaSize, "By", "Bytes of the arenas mapped now");
        meter.CreateObservableCounter("pymalloc.allocations", () => (long)((HeapState*)h)->Allocations, "{allocation}", "Allocations served (dotnet-counters shows the rate)");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.allocated", () => (long)((HeapState*)h)->BytesInBlocks, "By", "Bytes in allocated pool blocks");
        meter.CreateObservableUpDownCounter("pymalloc.bytes.available", () => (long)((HeapState*)h)->PoolBlockBytes - (long)((HeapState*)h)->BytesInBlocks, "By", "Bytes in free blocks of the pools in use");
        meter.CreateObservableUpDownCounter("pymalloc.raw_blocks", () => (long)((HeapState*)h)->RawAllocatedBlocks - System.Threading.Volatile.Read(ref ((HeapState*)h)->RemoteRawFrees), "{block}", "Blocks held by the raw allocator");
        return meter;
    }
}
