// Every diagnostic, by id and by the exact source it points at.
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class DiagnosticTests
{
    private static Diagnostic Single(GeneratorRun run, string id)
    {
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        return d;
    }

    // A generator's diagnostics carry a file path and span (they may not hold syntax trees), so the
    // text is looked up in the input tree of that path.
    private static string TextAt(GeneratorRun run, Diagnostic d)
    {
        string path = d.Location.GetLineSpan().Path;
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(d.Location.SourceSpan);
    }

    [Theory]
    [InlineData("Alignment = 12", "PYM001", "Alignment = 12 is invalid")]
    [InlineData("Alignment = 4", "PYM001", "at least 8")]
    [InlineData("PoolSize = 3000", "PYM002", "PoolSize = 3000 is invalid")]
    [InlineData("PoolSize = 2048", "PYM002", "at least 4096")]
    [InlineData("ArenaSize = 1000000", "PYM003", "ArenaSize = 1000000 is invalid")]
    [InlineData("ArenaSize = 8192", "PYM003", "at least PoolSize (16384)")]
    [InlineData("SmallRequestThreshold = 100", "PYM004", "multiple of Alignment (16)")]
    [InlineData("SmallRequestThreshold = 0", "PYM004", "SmallRequestThreshold = 0")]
    public void AnImpossibleValueIsReportedAtItsArgument(string argument, string id, string message)
    {
        GeneratorRun run = GeneratorHarness.Run($"[assembly: Pymalloc.PymallocConfig({argument})]");
        Diagnostic d = Single(run, id);
        Assert.Equal(argument, TextAt(run, d));
        Assert.Contains(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources); // nothing is generated for a broken configuration
    }

    [Fact]
    public void AThresholdAPoolCannotHoldTwiceIsReported()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig(PoolSize = 4096, SmallRequestThreshold = 2048)]");
        Diagnostic d = Single(run, "PYM005");
        Assert.Equal("SmallRequestThreshold = 2048", TextAt(run, d));
        Assert.Contains("(at most 2016)", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MoreThanSixtyFourSizeClassesIsReported()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig(Alignment = 8, SmallRequestThreshold = 1024)]");
        Diagnostic d = Single(run, "PYM006");
        Assert.Equal("SmallRequestThreshold = 1024", TextAt(run, d));
        Assert.Contains("gives 128 size classes", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ASecondAssemblyLevelConfigurationIsReportedAtTheSecond()
    {
        var input = GeneratorHarness.Compilation("[assembly: Pymalloc.PymallocConfig]", path: "A.cs")
            .AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
                "[assembly: Pymalloc.PymallocConfig(PoolSize = 4096)]", GeneratorHarness.ParseOptions, "B.cs"));
        GeneratorRun run = GeneratorHarness.Run(input, GeneratorHarness.CreateDriver());
        Diagnostic d = Single(run, "PYM007");
        Assert.Equal("B.cs", d.Location.GetLineSpan().Path);
        Assert.Equal("Pymalloc.PymallocConfig(PoolSize = 4096)", TextAt(run, d));
        Assert.Equal(7, run.Sources.Length); // the first one is still generated (six files), with the registry
    }

    [Theory]
    [InlineData("public partial class Heap { }")]
    [InlineData("public static class Heap { }")]
    [InlineData("public static partial class Heap<T> { }")]
    public void AClassThatIsNotStaticPartialIsReportedAtItsName(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run("[Pymalloc.PymallocConfig] " + declaration);
        Diagnostic d = Single(run, "PYM008");
        Assert.Equal("Heap", TextAt(run, d));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void AContainingTypeThatIsNotPartialIsReported()
    {
        GeneratorRun run = GeneratorHarness.Run("class Outer { [Pymalloc.PymallocConfig] static partial class Heap { } }");
        Assert.Equal("Heap", TextAt(run, Single(run, "PYM008")));
    }

    [Fact]
    public void UnsafeCodeMustBeAllowed()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig]", allowUnsafe: false);
        Diagnostic d = Single(run, "PYM009");
        Assert.Contains("AllowUnsafeBlocks", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void AnInvalidTypeNameIsReportedAtItsArgument()
    {
        GeneratorRun run = GeneratorHarness.Run("""[assembly: Pymalloc.PymallocConfig(TypeName = "My.1Allocator")]""");
        Assert.Equal("""TypeName = "My.1Allocator" """.TrimEnd(), TextAt(run, Single(run, "PYM010")));
    }

    [Fact]
    public void AnUnknownPresetIsReportedAtItsArgument()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig(Preset = (Pymalloc.PymallocPreset)7)]");
        Assert.Equal("Preset = (Pymalloc.PymallocPreset)7", TextAt(run, Single(run, "PYM012")));
    }

    [Fact]
    public void ANegativeArenaLimitIsReportedAtItsArgument()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig(MaxArenas = -1)]");
        Assert.Equal("MaxArenas = -1", TextAt(run, Single(run, "PYM013")));
    }

    [Theory]
    [InlineData("Threading = (Pymalloc.PymallocThreading)7", "Threading = 7 is not a PymallocThreading member")]
    [InlineData("OnMemoryLimit = (Pymalloc.MemoryLimitBehavior)7", "OnMemoryLimit = 7 is not a MemoryLimitBehavior member")]
    public void AnUndefinedEnumValueIsReportedAtItsArgument(string argument, string message)
    {
        GeneratorRun run = GeneratorHarness.Run($"[assembly: Pymalloc.PymallocConfig({argument})]");
        Diagnostic d = Single(run, "PYM014");
        Assert.Equal(argument, TextAt(run, d));
        Assert.StartsWith(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AnArenaLimitIsAppliedWhenTheHeapIsCreated()
    {
        GeneratorRun run = GeneratorHarness.Run("[assembly: Pymalloc.PymallocConfig(MaxArenas = 8, OnMemoryLimit = Pymalloc.MemoryLimitBehavior.Fail)]");
        Assert.Empty(run.CompileErrors);
        Assert.Contains("PymallocCore<Layout>.SetMemoryLimit(heap, 8, failInsteadOfRaw: true);", run.Source("Api.g.cs"));
    }

    [Fact]
    public void ANonConstantArgumentIsReported()
    {
        // The compiler reports CS0182 as well; the generator must not throw or generate.
        GeneratorRun run = GeneratorHarness.Run("class C { public static int X = 8; } [Pymalloc.PymallocConfig(Alignment = C.X)] static partial class Heap { }");
        Assert.Empty(run.Sources);
        Assert.Equal("Alignment = C.X", TextAt(run, Single(run, "PYM011")));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "PYM099");
    }

    [Fact]
    public void EveryReportedIdIsReleaseTracked()
    {
        string unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(
            System.AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Generator", "AnalyzerReleases.Unshipped.md"));
        foreach (string id in new[] { "PYM001", "PYM002", "PYM003", "PYM004", "PYM005", "PYM006", "PYM007", "PYM008", "PYM009", "PYM010", "PYM011", "PYM012", "PYM013", "PYM014", "PYM015", "PYM016", "PYM017", "PYM018", "PYM099" })
        {
            Assert.Contains(id + " |", unshipped);
        }
    }
}
