// Runs PymallocGenerator over a source text the way the compiler does, with the runtime library
// and the framework referenced, and hands back everything a test inspects.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pymalloc.Generator.Tests;

internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<GeneratedSourceResult> Sources)
{
    public string Source(string suffix) => Sources.Single(s => s.HintName.EndsWith(suffix, StringComparison.Ordinal)).SourceText.ToString();

    /// <summary>Errors of the compilation with the generated code in it.</summary>
    public IEnumerable<Diagnostic> CompileErrors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
}

internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return tpa.Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(PymallocConfigAttribute).Assembly.Location))
            .ToImmutableArray();
    }

    public static CSharpCompilation Compilation(string source, bool allowUnsafe = true, string path = "Config.cs")
        => CSharpCompilation.Create("Consumer",
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path) },
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The netstandard2.1 asset of the runtime (Unity, Mono, .NET 6), copied beside the tests.</summary>
    public static string NetStandardRuntime => Path.Combine(AppContext.BaseDirectory, "netstandard2.1", "Pymalloc.dll");

    /// <summary>A consumer as Unity's compiler sees it: the given language version and, with
    /// <paramref name="netStandard"/>, the netstandard2.1 runtime instead of the net8.0 one.</summary>
    public static GeneratorRun RunAs(string source, LanguageVersion version, bool netStandard)
    {
        var parse = new CSharpParseOptions(version);
        IEnumerable<MetadataReference> references = References;
        if (netStandard)
        {
            references = references.Where(r => !string.Equals(Path.GetFileName(r.Display), "Pymalloc.dll", StringComparison.Ordinal))
                .Append(MetadataReference.CreateFromFile(NetStandardRuntime));
        }
        var input = CSharpCompilation.Create("Consumer",
            new[] { CSharpSyntaxTree.ParseText(source, parse, "Config.cs") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new PymallocGenerator().AsSourceGenerator() }, parseOptions: parse);
        return Run(input, driver);
    }

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        new[] { new PymallocGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(string source, bool allowUnsafe = true) => Run(Compilation(source, allowUnsafe), CreateDriver());

    public static GeneratorRun Run(CSharpCompilation input, GeneratorDriver driver)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return new GeneratorRun(input, output, driver, diagnostics, result.GeneratedSources);
    }
}
