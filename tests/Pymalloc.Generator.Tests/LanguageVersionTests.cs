// The generated code at the oldest C# it promises (9, Unity's compiler), against both runtime assets,
// and the diagnostic below that.
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class LanguageVersionTests
{
    // Every shape of output: each feature switch, a namespace, a nested class, the global namespace.
    public static TheoryData<string> Configurations => new()
    {
        "[assembly: Pymalloc.PymallocConfig]",
        "[assembly: Pymalloc.PymallocConfig(Preset = Pymalloc.PymallocPreset.CPython38, Debug = true)]",
        "[assembly: Pymalloc.PymallocConfig(Hardened = true, LiveCounters = true)]",
        "[assembly: Pymalloc.PymallocConfig(Threading = Pymalloc.PymallocThreading.Unchecked, MaxArenas = 4)]",
        "[assembly: Pymalloc.PymallocConfig(TypeName = \"Game.Memory.FrameAllocator\", Alignment = 32)]",
        "namespace Game { public static partial class Outer { [Pymalloc.PymallocConfig(PoolSize = 4096)] public static partial class Inner { } } }",
        "[Pymalloc.PymallocConfig(Debug = true)] public static partial class GlobalAllocator { }",
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void TheOutputCompilesCleanAtCSharp9AgainstTheNetStandardRuntime(string source)
    {
        GeneratorRun run = GeneratorHarness.RunAs(source, LanguageVersion.CSharp9, netStandard: true);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.Sources);
        // Errors and warnings alike: Unity projects often build with warnings as errors.
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        // netstandard2.1 has no System.Diagnostics.Metrics: no CreateMeter there.
        Assert.DoesNotContain(run.Sources, s => s.SourceText.ToString().Contains("CreateMeter", System.StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void TheOutputCompilesCleanAtCSharp9AgainstTheNet8Runtime(string source)
    {
        GeneratorRun run = GeneratorHarness.RunAs(source, LanguageVersion.CSharp9, netStandard: false);
        Assert.Empty(run.GeneratorDiagnostics);
        // CS1701 (the net8.0 runtime names DiagnosticSource 8.0, the test host has 10.0) is the
        // harness's: the SDK suppresses it in every real build.
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701"));
        Assert.Contains(run.Sources, s => s.SourceText.ToString().Contains("public static global::System.Diagnostics.Metrics.Meter CreateMeter()", System.StringComparison.Ordinal));
    }

    [Fact]
    public void BelowCSharp9TheAttributeGetsPym018AndNothingIsGenerated()
    {
        GeneratorRun run = GeneratorHarness.RunAs("[assembly: Pymalloc.PymallocConfig(Alignment = 16)]", LanguageVersion.CSharp8, netStandard: true);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("PYM018", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Pymalloc.PymallocConfig(Alignment = 16)", run.Input.SyntaxTrees[0].GetText().ToString(d.Location.SourceSpan));
        Assert.Contains("this project compiles C# 8.0", d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }
}
