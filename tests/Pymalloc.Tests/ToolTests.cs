// The pymalloc tool, run in-process through Program.Run as the command line runs it: replays under
// presets and custom layouts reproduce what CPython built with that layout printed, bad layouts are
// refused with the generator's own words, inspect lists an assembly's allocators.
using System.IO;
using System.Linq;
using Pymalloc.Tool;
using Xunit;

namespace Pymalloc.Tests;

public sealed class ToolTests
{
    private static readonly string Layout38Trace = TestData.PathOf(Path.Combine("layouts", "cpython38-layout", "s0_small.trace.gz"));

    private static (int Code, string Out, string Err) Pymalloc(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // s0_small recorded on CPython 3.11 rebuilt with the 3.8 layout (4 KiB pools, 256 KiB arenas):
    // the preset, and the same numbers given one by one, both print what that CPython printed.
    [Theory]
    [InlineData("--preset", "CPython38")]
    [InlineData("--preset", "cpython38")]
    [InlineData("--pool-size", "4096", "--arena-size", "262144")]
    [InlineData("--alignment", "16", "--pool-size", "4096", "--arena-size", "262144", "--threshold", "512")]
    [InlineData] // no layout option: the one the trace's header names
    public void ReplayUnderThe38LayoutPrintsWhatThatCPythonPrinted(params string[] layout)
    {
        (int code, string output, string log) = Pymalloc(new[] { "replay", Layout38Trace }.Concat(layout).ToArray());
        Assert.Equal(0, code);
        string expected = File.ReadAllText(TestData.PathOf(Path.Combine("layouts", "cpython38-layout", "s0_small.stats.txt")));
        Assert.Equal(TestData.ThroughFirstTotal(expected), TestData.ThroughFirstTotal(output));
        Assert.Contains("POOL_SIZE 4096, ARENA_SIZE 262144", log);
    }

    [Fact]
    public void AnExplicitLayoutWinsOverTheHeader()
    {
        (int code, string output, _) = Pymalloc("replay", Layout38Trace, "--preset", "CPython311");
        Assert.Equal(0, code);
        Assert.NotEqual(
            TestData.ThroughFirstTotal(File.ReadAllText(TestData.PathOf(Path.Combine("layouts", "cpython38-layout", "s0_small.stats.txt")))),
            TestData.ThroughFirstTotal(output));
    }

    [Fact]
    public void ReplayWithNoLayoutIsCPython311()
    {
        (int code, string output, _) = Pymalloc("replay", TestData.PathOf("s0_small.trace.gz"));
        Assert.Equal(0, code);
        Assert.Equal(TestData.ThroughFirstTotal(File.ReadAllText(TestData.PathOf("s0_small.aligned.stats.txt"))), TestData.ThroughFirstTotal(output));
    }

    [Fact]
    public void TheSameTraceUnderAnotherLayoutGivesOtherFigures()
    {
        (_, string default311, _) = Pymalloc("replay", TestData.PathOf("s0_small.trace.gz"));
        (int code, string wide, _) = Pymalloc("replay", TestData.PathOf("s0_small.trace.gz"), "--alignment", "32", "--threshold", "1024", "--pool-size", "65536");
        Assert.Equal(0, code);
        Assert.StartsWith("Small block threshold = 1024, in 32 size classes.", wide);
        Assert.NotEqual(TestData.ThroughFirstTotal(default311), TestData.ThroughFirstTotal(wide));
    }

    [Theory]
    [InlineData("PYM001: Alignment = 12 is invalid: it must be a power of two and at least 8", "--alignment", "12")]
    [InlineData("PYM002: PoolSize = 3000 is invalid", "--pool-size", "3000")]
    [InlineData("PYM003: ArenaSize = 8192 is invalid", "--arena-size", "8192")]
    [InlineData("PYM005: SmallRequestThreshold = 4096 is too large", "--alignment", "64", "--threshold", "4096", "--preset", "CPython38")]
    [InlineData("PYM006: SmallRequestThreshold = 4096 with Alignment = 16 gives 256 size classes", "--threshold", "4096", "--pool-size", "65536")]
    public void AnImpossibleLayoutIsRefusedWithTheRuleInWords(string message, params string[] layout)
    {
        (int code, string output, string error) = Pymalloc(new[] { "replay", TestData.PathOf("s0_small.trace.gz") }.Concat(layout).ToArray());
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith("pymalloc replay: " + message, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(1, "no such file", "replay", "no-such.trace.gz")]
    [InlineData(2, "is not a preset; the presets are CPython311, CPython38, CPython27, CPython2718", "replay", "x.gz", "--preset", "CPython99")]
    [InlineData(2, "unknown option --pools", "replay", "x.gz", "--pools", "4")]
    [InlineData(2, "unknown verb 'advice'", "advice")]
    public void MistakesAreOneLine(int expectedCode, string message, params string[] args)
    {
        (int code, _, string error) = Pymalloc(args);
        Assert.Equal(expectedCode, code);
        Assert.Contains(message, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void ACorruptTraceIsOneLineNamingTheProblem()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pymalloc-tool-{System.Guid.NewGuid():N}.trace");
        File.WriteAllText(path, "# pymalloc-trace v1 python=3.11.7 alignment=16 pool=16384 arena=1048576 threshold=512\nm 0 16\nf 0\n");
        try
        {
            (int code, _, string error) = Pymalloc("replay", path);
            Assert.Equal(1, code);
            Assert.Contains("without its '# end ops=...' line", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void InspectListsTheAllocatorsOfABuiltAssembly()
    {
        (int code, string output, _) = Pymalloc("inspect", typeof(TraceAllocator).Assembly.Location);
        Assert.Equal(0, code);
        Assert.Contains("Allocators generated into Pymalloc.Tests.dll", output);
        Assert.Contains("Pymalloc.Tests.TraceAllocator", output.Replace("\n", "").Replace("│", "").Replace(" ", ""));
        Assert.Contains("Pymalloc.Tests.Python38 from [PymallocConfig(Preset = PymallocPreset.CPython38)]", output);
        Assert.Contains("Pymalloc.Tests.TinyArenas from", output);
        // Like the registry, not the allocators nested in private types (PlatformTests' probe).
        Assert.DoesNotContain("ThirtyTwoBitProbe", output);

        (int none, _, string error) = Pymalloc("inspect", typeof(Program).Assembly.Location);
        Assert.Equal(1, none);
        Assert.Contains("has no allocators generated into it", error);
    }
}
