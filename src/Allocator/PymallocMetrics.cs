// Live counters of a heap as System.Diagnostics.Metrics instruments, for dotnet-counters and
// OpenTelemetry. Every instrument reads a counter the heap keeps on its slow paths (arenas mapped,
// pools taken and returned, raw blocks): observing never walks the heap, takes a lock, or slows
// the allocation fast path, and can run on any thread (the values may be a moment old).
using System.Diagnostics.Metrics;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>Creates the meter of a heap.</summary>
public static unsafe class PymallocMetrics
{
    /// <summary>
    /// A meter named <paramref name="name"/> with the heap's instruments: <c>pymalloc.arenas</c> (mapped now),
    /// <c>pymalloc.arenas.mapped</c> (over the heap's life), <c>pymalloc.pools.in_use</c>,
    /// <c>pymalloc.bytes.mapped</c> (bytes of the arenas) and <c>pymalloc.raw_blocks</c>.
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
        meter.CreateObservableUpDownCounter("pymalloc.raw_blocks", () => (long)((HeapState*)h)->RawAllocatedBlocks - System.Threading.Volatile.Read(ref ((HeapState*)h)->RemoteRawFrees), "{block}", "Blocks held by the raw allocator");
        return meter;
    }
}
