// The generated per-class fast paths must make exactly the decisions of the runtime-dispatched
// core: same arena, same pool, same offset for every block of a long random history.
using System;
using System.Collections.Generic;
using Pymalloc.Runtime;
using Xunit;

namespace Pymalloc.Tests;

/// <summary>A second layout (8-byte alignment, 32 classes, 16-pool arenas), used only here.</summary>
[PymallocConfig(Alignment = 8, PoolSize = 4096, ArenaSize = 65536, SmallRequestThreshold = 256)]
internal static partial class EquivalenceAllocator
{
}

public sealed unsafe class GeneratedPathTests
{
    /// <summary>Where a block is, independent of where the arenas were mapped.</summary>
    private static (uint Arena, nuint Pool, nuint Offset) Place<TLayout>(HeapState* heap, void* p)
        where TLayout : struct, IPymallocLayout
    {
        PoolHeader* pool = PymallocCore<TLayout>.PoolOf(p);
        nuint first = PymallocCore<TLayout>.FirstPool(&heap->Arenas[pool->ArenaIndex]);
        return (pool->ArenaIndex, ((nuint)pool - first) >> default(TLayout).PoolSizeShift, (nuint)p - (nuint)pool);
    }

    [Fact]
    public void GeneratedAndRuntimePathsPlaceEveryBlockAlike()
    {
        using var runtime = Heap<EquivalenceAllocator.Layout>.Create();
        HeapState* generated = EquivalenceAllocator.State;
        var random = new Random(20261123);
        var live = new List<(nint Generated, nint Runtime)>();
        for (int i = 0; i < 300_000; i++)
        {
            if (live.Count == 0 || random.Next(100) < 52)
            {
                nuint size = (nuint)random.Next(0, 300);
                void* g = EquivalenceAllocator.Malloc(size);
                void* r = runtime.Malloc(size);
                bool pooled = size >= 1 && size <= 256;
                Assert.Equal(pooled, EquivalenceAllocator.Contains(g));
                Assert.Equal(pooled, runtime.Contains(r));
                if (pooled)
                {
                    Assert.Equal(Place<EquivalenceAllocator.Layout>(runtime.State, r), Place<EquivalenceAllocator.Layout>(generated, g));
                    Assert.Equal(0u, (uint)((nuint)g % EquivalenceAllocator.Layout.Alignment));
                }
                live.Add(((nint)g, (nint)r));
            }
            else
            {
                int k = random.Next(live.Count);
                EquivalenceAllocator.Free((void*)live[k].Generated);
                runtime.Free((void*)live[k].Runtime);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
        }
        // Everything pymalloc decided; the arena map's node counts after it depend on where the OS put the arenas.
        static string Decisions(MallocStats s) => s.ToString()[..s.ToString().IndexOf("\nTotal", StringComparison.Ordinal)];
        Assert.Equal(Decisions(runtime.GetStats()), Decisions(EquivalenceAllocator.GetStats()));
        Assert.True(runtime.GetStats().ArenasReclaimed > 0, "the history should have released arenas");
    }
}
