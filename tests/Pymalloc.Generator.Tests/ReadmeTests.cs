// The README's Quick start, compiled as a user would paste it into a new console project that treats
// warnings as errors: with the generator, against the runtime, with no diagnostic at all.
using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class ReadmeTests
{
    private static string Readme => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "README.md"));

    [Fact]
    public void TheQuickStartCompilesWithNoWarning()
    {
        string quickStart = Readme.Substring(Readme.IndexOf("\n## Quick start", StringComparison.Ordinal));
        string code = Regex.Match(quickStart, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("[assembly: PymallocConfig]", code);

        var input = CSharpCompilation.Create("QuickStart",
            new[] { CSharpSyntaxTree.ParseText(code, GeneratorHarness.ParseOptions, "Program.cs") },
            GeneratorHarness.Compilation("").References,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorRun run = GeneratorHarness.Run(input, GeneratorHarness.CreateDriver());
        Assert.Empty(run.GeneratorDiagnostics);
        // CS1701/CS1702 (assembly version unification) are the harness's; the SDK suppresses them.
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702")));
    }
}
