// Presets: each fixes its CPython release's four numbers, and a heap with that layout behaves
// accordingly (the 3.11 preset's fidelity is the trace oracle's test).
using System.IO;
using System.Linq;
using Pymalloc.Generated;
using Pymalloc.Traces;
using Xunit;

namespace Pymalloc.Tests;

public sealed class PresetTests
{
    [Fact]
    public void ThePresetsHaveTheirReleasesLayouts()
    {
        Assert.Equal((16, 512, 16384, 1048576, 64), Numbers(TraceAllocator.Info));
        Assert.Equal((16, 512, 4096, 262144, 64), Numbers(Python38.Info));
        Assert.Equal((8, 256, 4096, 262144, 64), Numbers(Python27.Info));
        Assert.Equal("CPython 2.7", Python27.Info.Preset);
    }

    private static (int, int, int, int, int) Numbers(PymallocAllocatorInfo i)
        => (i.Alignment, i.SmallRequestThreshold, i.PoolSize, i.ArenaSize, i.MaxPoolsInArena);

    [Fact]
    public void EachPresetHasItsOwnSizeClassTable()
    {
        // 2.7: 32 classes of 8..256 bytes in 4 KiB pools; 3.8: 32 classes of 16..512 bytes.
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (uint)(8 * i)), Python27.Info.SizeClasses.Select(c => c.BlockSize));
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (uint)(16 * i)), Python38.Info.SizeClasses.Select(c => c.BlockSize));
        Assert.Equal(new SizeClassLayout(0, 1, 8, 506, 0), Python27.Info.SizeClasses[0]);
        Assert.Equal(new SizeClassLayout(31, 497, 512, 7, 464), Python38.Info.SizeClasses[31]);
        Assert.Equal(new SizeClassLayout(31, 497, 512, 31, 464), TraceAllocator.Info.SizeClasses[31]);
    }

    [Fact]
    public unsafe void TheSameHistoryFillsEachLayoutDifferently()
    {
        AllocationTrace small = AllocationTrace.Load(TestData.PathOf("s0_small.trace.gz"));

        TraceReplayer.Replay<Python27.Api>(small);
        string text27 = Python27.GetStats().ToString();
        Assert.StartsWith("Small block threshold = 256, in 32 size classes.\n", text27);
        Assert.Contains("arenas * 262144 bytes/arena", text27);

        TraceReplayer.Replay<Python38.Api>(small);
        MallocStats s38 = Python38.GetStats();
        Assert.StartsWith("Small block threshold = 512, in 32 size classes.\n", s38.ToString());
        // The same blocks are live whatever the layout (the trace ends with 73,408).
        MallocStats s27 = Python27.GetStats();
        Assert.Equal(73_408L, (long)s38.BlocksInUse + s38.RawAllocatedBlocks);
        Assert.Equal(73_408L, (long)s27.BlocksInUse + s27.RawAllocatedBlocks);

        // 3.8 and 3.11 share alignment and threshold, so the same blocks are pool blocks, in the
        // same classes; 3.8's 4 KiB pools just need more of them.
        using var heap311 = Heap<TraceAllocator.Layout>.Create();
        CurrentHeap<TraceAllocator.Layout>.Heap = heap311;
        TraceReplayer.Replay<CurrentHeap<TraceAllocator.Layout>>(small);
        MallocStats s311 = heap311.GetStats();
        Assert.Equal(s311.SizeClasses.Select(c => c.BlocksInUse), s38.SizeClasses.Select(c => c.BlocksInUse));
        Assert.True(s38.PoolsInUse > s311.PoolsInUse);

        // 2.7 serves at most 256 bytes from pools: the rest went raw.
        Assert.True(s27.RawAllocatedBlocks > s38.RawAllocatedBlocks);
    }
}
