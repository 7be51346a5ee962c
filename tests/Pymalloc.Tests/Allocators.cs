// The allocators these tests use, declared the way users declare them: the generator runs on
// this project and emits them at build time.
using System;
using Pymalloc;

// The default allocator: Pymalloc.Generated.PymallocAllocator with the CPython 3.11 layout.
[assembly: PymallocConfig]

namespace Pymalloc.Tests;

/// <summary>A named allocator with the 3.11 preset, used only by the trace test (its state is its own).</summary>
[PymallocConfig(Preset = PymallocPreset.CPython311)]
internal static partial class TraceAllocator
{
}

/// <summary>The CPython 3.8 layout: 4 KiB pools, 256 KiB arenas.</summary>
[PymallocConfig(Preset = PymallocPreset.CPython38)]
internal static partial class Python38
{
}

/// <summary>The classic CPython 2.7 layout: 8-byte alignment, 256-byte threshold.</summary>
[PymallocConfig(Preset = PymallocPreset.CPython27)]
internal static partial class Python27
{
}

/// <summary>A tiny layout whose arenas hold 4 pools, so arena transitions take a handful of calls.</summary>
[PymallocConfig(PoolSize = 4096, ArenaSize = 16384, SmallRequestThreshold = 256)]
internal static partial class TinyArenas
{
}

/// <summary>Arenas of exactly one pool: an arena that is not pool-aligned cannot hold any.</summary>
[PymallocConfig(PoolSize = 4096, ArenaSize = 4096, SmallRequestThreshold = 256)]
internal static partial class OnePoolArenas
{
}

/// <summary>Cache-line alignment: every block, pool or raw, starts on a multiple of 64.</summary>
[PymallocConfig(Alignment = 64)]
internal static partial class CacheLineAllocator
{
}

/// <summary>The tiny layout in the hardened release mode.</summary>
[PymallocConfig(PoolSize = 4096, ArenaSize = 16384, SmallRequestThreshold = 256, Hardened = true)]
internal static partial class HardenedTiny
{
}

/// <summary>The tiny layout with per-operation counters compiled in.</summary>
[PymallocConfig(PoolSize = 4096, ArenaSize = 16384, SmallRequestThreshold = 256, LiveCounters = true)]
internal static partial class CountingTiny
{
}

/// <summary>The 3.11 layout with no owner check compiled in (CPython's one-thread-at-a-time contract).</summary>
[PymallocConfig(Threading = PymallocThreading.Unchecked)]
internal static partial class UncheckedAllocator
{
}

/// <summary>The same, in debug mode, which still reports overlapping calls.</summary>
[PymallocConfig(Threading = PymallocThreading.Unchecked, Debug = true)]
internal static partial class UncheckedDebugAllocator
{
}

/// <summary>Exposes a heap instance through the static <see cref="IUnmanagedAllocator"/> contract.</summary>
internal readonly unsafe struct CurrentHeap<TLayout> : IUnmanagedAllocator where TLayout : struct, IPymallocLayout
{
    [ThreadStatic]
    public static Heap<TLayout> Heap;

    public void* Malloc(nuint size) => Heap.Malloc(size);

    public void* Calloc(nuint count, nuint size) => Heap.Calloc(count, size);

    public void* Realloc(void* ptr, nuint size) => Heap.Realloc(ptr, size);

    public void Free(void* ptr) => Heap.Free(ptr);
}

/// <summary>
/// The test classes that use <see cref="Generated.PymallocAllocator"/>'s static heap. Its thread rule
/// (one owner, which alone allocates) means they must not run at once, and each takes the heap over.
/// </summary>
[Xunit.CollectionDefinition(nameof(StaticHeapCollection), DisableParallelization = true)]
public sealed class StaticHeapCollection
{
}
