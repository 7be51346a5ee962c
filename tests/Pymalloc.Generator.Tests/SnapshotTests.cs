// The generated source for each preset and for one custom layout, compared with checked-in
// snapshots: any change to the emitted code shows up in review as a diff of these files.
using System.Linq;
using System.Text;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class SnapshotTests
{
    [Theory]
    [InlineData("CPython311", "[assembly: Pymalloc.PymallocConfig]")]
    [InlineData("CPython38", "[assembly: Pymalloc.PymallocConfig(Preset = Pymalloc.PymallocPreset.CPython38)]")]
    [InlineData("CPython27", "[assembly: Pymalloc.PymallocConfig(Preset = Pymalloc.PymallocPreset.CPython27)]")]
    [InlineData("CPython2718", "[assembly: Pymalloc.PymallocConfig(Preset = Pymalloc.PymallocPreset.CPython2718)]")]
    [InlineData("Debug", "[assembly: Pymalloc.PymallocConfig(Debug = true, MaxArenas = 16)]")]
    [InlineData("Hardened", "[assembly: Pymalloc.PymallocConfig(Hardened = true)]")]
    [InlineData("UncheckedCounting", "[assembly: Pymalloc.PymallocConfig(Threading = Pymalloc.PymallocThreading.Unchecked, LiveCounters = true)]")]
    [InlineData("Custom", "namespace Game { [Pymalloc.PymallocConfig(Alignment = 32, PoolSize = 8192, ArenaSize = 131072, SmallRequestThreshold = 256)] public static partial class Messages { } }")]
    public void GeneratedSourceMatchesTheSnapshot(string name, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
        var all = new StringBuilder();
        foreach (var file in run.Sources.OrderBy(s => s.HintName, System.StringComparer.Ordinal))
        {
            all.Append("==== ").Append(file.HintName).Append(" ====\n").Append(file.SourceText.ToString());
        }
        Snapshot.Match(name, all.ToString());
    }
}
