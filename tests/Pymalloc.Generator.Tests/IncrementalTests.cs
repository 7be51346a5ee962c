// Incrementality through the driver's step tracking: an edit elsewhere reruns nothing downstream
// of the parse, and a changed attribute argument regenerates.
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class IncrementalTests
{
    private const string Config = "[assembly: Pymalloc.PymallocConfig(PoolSize = 4096)]";

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results.Single().TrackedSteps[step]
            .SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorDriver driver)
        => driver.GetRunResult().Results.Single().TrackedOutputSteps
            .SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void AnUnrelatedEditLeavesEveryStepCached()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Config);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        CSharpCompilation edited = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int x; }", GeneratorHarness.ParseOptions, "Other.cs"));
        driver = driver.RunGenerators(edited);

        Assert.All(Reasons(driver, Generator.PymallocGenerator.ParseStep),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(OutputReasons(driver),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void EditingTheFileThatHoldsTheAttributeWithoutChangingItIsUnchanged()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Config);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree old = first.SyntaxTrees.Single();
        CSharpCompilation edited = first.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Config + "\nclass Added { }", GeneratorHarness.ParseOptions, old.FilePath));
        driver = driver.RunGenerators(edited);

        Assert.All(OutputReasons(driver),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void ChangingAnArgumentRegenerates()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Config);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree old = first.SyntaxTrees.Single();
        CSharpCompilation edited = first.ReplaceSyntaxTree(old,
            CSharpSyntaxTree.ParseText("[assembly: Pymalloc.PymallocConfig(PoolSize = 8192)]", GeneratorHarness.ParseOptions, old.FilePath));
        driver = driver.RunGenerators(edited);

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, Generator.PymallocGenerator.ParseStep));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(driver));
        Assert.Contains("public const int PoolSize = 8192;",
            driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith("Layout.g.cs")).SourceText.ToString());
    }
}
