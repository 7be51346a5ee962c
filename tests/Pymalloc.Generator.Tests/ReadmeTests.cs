// Every C# block of the README, compiled as a user would paste it into a project that treats warnings
// as errors: with the generator, against the runtime, with no diagnostic at all. A whole program
// (the Quick start) compiles as it stands; a fragment compiles inside a scaffold that declares the
// names the README's prose takes as given (an Enemy, an engine's arena callbacks) and nothing else.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class ReadmeTests
{
    // The repository's README and the one the NuGet package shows.
    private static readonly string[] Readmes = { "README.md", "src/Allocator/PackageReadme.md" };

    private static string Read(string path) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", path)).Replace("\r\n", "\n");

    /// <summary>The READMEs' ```csharp blocks, each with its file and the line it starts on (for the test's name).</summary>
    public static IEnumerable<object[]> CSharpBlocks()
    {
        foreach (string path in Readmes)
        {
            string readme = Read(path);
            foreach (Match block in Regex.Matches(readme, "^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline))
            {
                int line = readme.Take(block.Index).Count(c => c == '\n') + 1;
                yield return new object[] { $"{path}:{line}", block.Groups[1].Value };
            }
        }
    }

    [Fact]
    public void TheReadmeHasItsCSharpBlocks()
    {
        // The Quick start, the per-class configuration, heaps, owner scopes and memory sources at least.
        Assert.True(CSharpBlocks().Count(b => ((string)b[0]).StartsWith("README.md:", StringComparison.Ordinal)) >= 5, "the README's C# blocks were not found");
        Assert.Contains(CSharpBlocks(), b => ((string)b[0]).StartsWith("src/Allocator/PackageReadme.md:", StringComparison.Ordinal));
        Assert.Contains(CSharpBlocks(), b => ((string)b[1]).Contains("[assembly: PymallocConfig]", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void EveryCSharpBlockCompilesWithNoWarning(string where, string code)
    {
        string source = code.Contains("[assembly: PymallocConfig", StringComparison.Ordinal) ? code
            : code.TrimStart().StartsWith("[PymallocConfig", StringComparison.Ordinal) ? "using Pymalloc;\n\n" + code
            : Fragment(code);
        var input = CSharpCompilation.Create("Readme",
            new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, where.Replace('/', '_').Replace(':', '_') + ".cs") },
            GeneratorHarness.Compilation("").References,
            new CSharpCompilationOptions(source == code ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorRun run = GeneratorHarness.Run(input, GeneratorHarness.CreateDriver());
        Assert.Empty(run.GeneratorDiagnostics);
        // CS1701/CS1702 (assembly version unification) are the harness's; the SDK suppresses them.
        Diagnostic[] problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702")).ToArray();
        Assert.True(problems.Length == 0, $"{where}:\n" + string.Join("\n", problems.Select(d => d.ToString())) + "\n---\n" + source);
    }

    /// <summary>Statements from the README inside a method, with what their prose assumes declared.</summary>
    private static string Fragment(string statements) => $$"""
        using System;
        using System.Runtime.InteropServices;
        using Pymalloc;
        using Pymalloc.Generated;

        [assembly: PymallocConfig]

        public struct Enemy { public int Health; public float X, Y; }
        public struct Particle { public float X, Y, VX, VY; }

        public static unsafe class Snippet
        {
            private static readonly Particle*[] particles = new Particle*[64];
            private static readonly int count = particles.Length;
            private static readonly void* engine = null;

            [UnmanagedCallersOnly] private static void* EngineMapArena(void* context, nuint size) => null;
            [UnmanagedCallersOnly] private static void EngineUnmapArena(void* context, void* arena, nuint size) { }
            [UnmanagedCallersOnly] private static void* M(void* context, nuint size) => null;
            [UnmanagedCallersOnly] private static void* C(void* context, nuint count, nuint size) => null;
            [UnmanagedCallersOnly] private static void* R(void* context, void* ptr, nuint size) => null;
            [UnmanagedCallersOnly] private static void F(void* context, void* ptr) { }

            public static void Run()
            {
        {{statements}}
            }
        }
        """;
}
