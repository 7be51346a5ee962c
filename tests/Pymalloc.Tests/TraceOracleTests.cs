// The fidelity oracle: a trace recorded from CPython 3.11.7, replayed here, must leave the heap in
// a state whose statistics print exactly as CPython printed them.
using System.IO;
using Pymalloc.Traces;
using Xunit;

namespace Pymalloc.Tests;

public sealed class TraceOracleTests
{
    private static readonly AllocationTrace Small = AllocationTrace.Load(TestData.PathOf("s0_small.trace.gz"));
    private static readonly string Expected = TestData.ThroughFirstTotal(File.ReadAllText(TestData.PathOf("s0_small.aligned.stats.txt")));

    [Fact]
    public void GeneratedAllocatorReproducesCPythonStatistics()
    {
        TraceReplayer.Replay<TraceAllocator.Api>(Small);

        var text = new StringWriter();
        TraceAllocator.WriteDebugMallocStats(text);
        Assert.Equal(Expected, TestData.ThroughFirstTotal(text.ToString()));
        TraceAllocator.Validate();
    }

    [Fact]
    public void RuntimeDispatchedHeapReproducesCPythonStatistics()
    {
        using var heap = Heap<TraceAllocator.Layout>.Create();
        CurrentHeap<TraceAllocator.Layout>.Heap = heap;
        ReplayResult result = TraceReplayer.Replay<CurrentHeap<TraceAllocator.Layout>>(Small);

        Assert.Equal(Expected, TestData.ThroughFirstTotal(heap.GetStats().ToString()));
        heap.Validate();

        // Freeing every surviving block empties every pool; all arenas but the kept last one go.
        result.FreeAll<CurrentHeap<TraceAllocator.Layout>>();
        MallocStats after = heap.GetStats();
        Assert.Equal(0UL, after.BlocksInUse);
        Assert.Equal(0L, after.RawAllocatedBlocks);
        Assert.Equal(1UL, after.ArenasAllocatedCurrent);
    }

    [Fact]
    public void TraceHeaderAndCountsAreRead()
    {
        Assert.StartsWith("# pymalloc-trace v1 python=3.11.7", Small.Header);
        Assert.Equal(473_793, Small.Ops.Length);
        Assert.Equal(91_792, Small.MaxId);
    }

    [Fact]
    public void AnEmptyFileIsRejected()
    {
        var e = Assert.Throws<System.FormatException>(() => AllocationTrace.Load(new MemoryStream()));
        Assert.Contains("no '# pymalloc-trace v1' header", e.Message);
    }

    [Fact]
    public void MalformedTraceIsRejectedWithItsLine()
    {
        var text = "# pymalloc-trace v1 python=3.11.7\nm 0 16\nx 1 2\n"u8.ToArray();
        var e = Assert.Throws<System.FormatException>(() => AllocationTrace.Load(new MemoryStream(text)));
        Assert.Contains("Line 3", e.Message);
    }
}
