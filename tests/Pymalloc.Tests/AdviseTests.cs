// pymalloc advise: its measurements and its scoring, on traces whose best layout is known by
// construction, and its output forms.
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Pymalloc.Generator;
using Pymalloc.Tool;
using Xunit;

namespace Pymalloc.Tests;

public sealed class AdviseTests
{
    /// <summary>Writes a trace of <paramref name="count"/> live <paramref name="size"/>-byte blocks, never freed.</summary>
    private static string LiveBlocksTrace(int count, int size)
    {
        var s = new StringBuilder("# pymalloc-trace v1 python=none alignment=16 pool=16384 arena=1048576 threshold=512\n");
        for (int i = 0; i < count; i++)
        {
            s.Append("m ").Append(i).Append(' ').Append(size).Append('\n');
        }
        s.Append("# end ops=").Append(count).Append('\n');
        string path = Path.Combine(Path.GetTempPath(), $"pymalloc-advise-{System.Guid.NewGuid():N}.trace");
        File.WriteAllText(path, s.ToString());
        return path;
    }

    // 20,000 live blocks of 24 bytes: with ALIGNMENT 8 they fill 24-byte blocks exactly (480 KB of
    // blocks, two 256 KiB arenas); with 16 they take 32-byte blocks (three); any 1 MiB arena maps 1 MiB.
    [Fact]
    public void TwentyFourByteBlocksAreBestServedByAlignment8AndSmallArenas()
    {
        string path = LiveBlocksTrace(20_000, 24);
        try
        {
            var trace = Pymalloc.Traces.AllocationTrace.Load(path);
            var measured = Advise.Candidates(null).Select(c => Advise.Measure(trace, c)).ToList();
            Advise.Measurement best = Advise.Rank(measured)[0];
            Assert.Equal(8, best.Layout.Alignment);
            Assert.Equal(262144, best.Layout.ArenaSize);
            Assert.Equal(2UL * 262144, best.PeakMappedBytes);
            Assert.Equal(0UL, best.AtEnd.Rounding); // 24 bytes in 24-byte blocks

            Advise.Measurement python311 = measured.Single(m => m.Layout == LayoutModel.Presets[0]);
            Assert.Equal(1048576UL, python311.PeakMappedBytes);
            Assert.Equal(20_000UL * 8, python311.AtEnd.Rounding); // 24 bytes in 32-byte blocks
            Assert.Equal(1.0, python311.PoolShare);
            Assert.Contains("less than CPython 3.11's layout", Advise.Reason(best, python311));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Above the threshold a request is raw, counted as glibc places it.
    [Fact]
    public void RawRequestsCountAsGlibcChunks()
    {
        string path = LiveBlocksTrace(100, 600);
        try
        {
            var trace = Pymalloc.Traces.AllocationTrace.Load(path);
            Advise.Measurement m = Advise.Measure(trace, LayoutModel.Presets[0]);
            Assert.Equal(100UL * 608, m.PeakRawBytes); // 600 + 8 rounded up to 16
            Assert.Equal(0UL, m.PeakArenaBytes);
            Assert.Equal(0.0, m.PoolShare);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithinOnePercentFewerArenaMapsWin()
    {
        static Advise.Measurement M(int arena, ulong peak, ulong maps, double ns)
        {
            var losses = new Advise.Losses(0, 0, 0, 0, 0, 0);
            var layout = new LayoutConfig(16, 16384, arena, 512, "grid");
            return new Advise.Measurement(layout, "", peak, peak, 0, losses, losses, maps, 0, 1, ns);
        }
        var smallest = M(262144, 1_000_000, maps: 40, ns: 50);
        var tie = M(1048576, 1_009_000, maps: 3, ns: 90); // within 1%: fewer maps wins
        var bigger = M(4194304, 1_020_000, maps: 1, ns: 10); // 2% more: never ahead of the ties
        IReadOnlyList<Advise.Measurement> ranked = Advise.Rank(new[] { bigger, smallest, tie });
        Assert.Equal(new[] { tie, smallest, bigger }, ranked);
    }

    [Fact]
    public void TheCommandPrintsATableAndTheAttributeOrJson()
    {
        string trace = TestData.PathOf(Path.Combine("layouts", "cpython38-layout", "s0_small.trace.gz"));
        var stdout = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "advise", trace, "--top", "3" }, stdout, new StringWriter()));
        string text = stdout.ToString();
        Assert.Contains("peak mapped", text);
        Assert.Contains("16/16K/1M/512 (CPython 3.11)", text); // the default is always shown
        Assert.Matches(@"Recommended:\n  \[assembly: PymallocConfig(\(.*\))?\]\n  .+\.\n", text);

        string chart = Path.Combine(Path.GetTempPath(), $"pymalloc-advise-{System.Guid.NewGuid():N}.png");
        try
        {
            Assert.Equal(0, Program.Run(new[] { "advise", trace, "--top", "4", "--png", chart }, new StringWriter(), new StringWriter()));
            byte[] png = File.ReadAllBytes(chart);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
        finally
        {
            File.Delete(chart);
        }

        var json = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "advise", trace, "--json" }, json, new StringWriter()));
        using JsonDocument doc = JsonDocument.Parse(json.ToString());
        Assert.StartsWith("[assembly: PymallocConfig", doc.RootElement.GetProperty("recommended").GetString());
        Assert.True(doc.RootElement.GetProperty("layouts").GetArrayLength() > 20);
        Assert.True(doc.RootElement.GetProperty("layouts")[0].GetProperty("peakMappedBytes").GetUInt64() > 0);
    }
}
