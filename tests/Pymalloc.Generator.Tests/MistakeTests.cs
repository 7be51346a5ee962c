// Configurations a user gets wrong, and names that collide: every one ends in a PYM diagnostic at
// the right place or in generated code that compiles — never a CS8785 warning with nothing
// generated and the build "succeeding", never a generator exception.
using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class MistakeTests
{
    private static Diagnostic Single(GeneratorRun run, string id) => Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);

    [Fact]
    public void OneClassConfiguredOnTwoPartialDeclarationsIsPym007()
    {
        var first = CSharpSyntaxTree.ParseText("[Pymalloc.PymallocConfig] static unsafe partial class Heap { }", GeneratorHarness.ParseOptions, "A.cs");
        var second = CSharpSyntaxTree.ParseText("[Pymalloc.PymallocConfig(PoolSize = 4096)] static unsafe partial class Heap { }", GeneratorHarness.ParseOptions, "B.cs");
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compilation("").AddSyntaxTrees(first, second), GeneratorHarness.CreateDriver());
        Diagnostic d = Single(run, "PYM007");
        Assert.Equal("B.cs", d.Location.GetLineSpan().Path); // the first declaration by file order wins
        Assert.DoesNotContain(run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics), x => x.Id == "CS8785");
        Assert.Contains(run.Sources, s => s.HintName == "Heap.Api.g.cs");
    }

    [Fact]
    public void ATypeNameEqualToAClassAllocatorIsPym007()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            [assembly: Pymalloc.PymallocConfig(TypeName = "Game.Heap")]
            namespace Game { [Pymalloc.PymallocConfig] static unsafe partial class Heap { } }
            """);
        Single(run, "PYM007");
        Assert.DoesNotContain(run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics), x => x.Id == "CS8785");
    }

    [Fact]
    public void TypeNameOnAClassIsPym015()
    {
        GeneratorRun run = GeneratorHarness.Run("""[Pymalloc.PymallocConfig(TypeName = "Other")] static unsafe partial class Heap { }""");
        Assert.Contains("applies to assembly-level configurations only", Single(run, "PYM015").GetMessage());
    }

    [Theory]
    [InlineData("[assembly: Pymalloc.PymallocConfig(TypeName = \"class\")]", "PYM010")]
    [InlineData("[assembly: Pymalloc.PymallocConfig(TypeName = \"My.int.Heap\")]", "PYM010")]
    [InlineData("[assembly: Pymalloc.PymallocConfig(TypeName = \"Game.Layout\")]", "PYM016")]
    [InlineData("[Pymalloc.PymallocConfig] static unsafe partial class Api { }", "PYM016")]
    [InlineData("[Pymalloc.PymallocConfig] static unsafe partial class OwnerScope { }", "PYM016")]
    [InlineData("[assembly: Pymalloc.PymallocConfig(Debug = true, Alignment = 32)]", "PYM017")]
    public void NamesAndCombinationsThatCannotCompileAreDiagnosed(string source, string id)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Single(run, id);
        Assert.Empty(run.Sources.Where(s => s.HintName.EndsWith(".Api.g.cs", StringComparison.Ordinal)));
    }

    [Fact]
    public void UserTypesNamedLikeTheRuntimesDoNotCaptureTheGeneratedCode()
    {
        // Types of these names in the allocator's own namespace would win over `using Pymalloc.Runtime`.
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Game
            {
                public struct PoolHeader { }
                public struct HeapState { }
                public class PymallocCore { }
                public struct Heap<T> { }
                public class MethodImpl { }
                namespace System { public class OutOfMemoryException { } }
                [Pymalloc.PymallocConfig] public static unsafe partial class Particles { }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors);
    }

    [Fact]
    public void RandomConfigurationsCompileOrAreDiagnosed()
    {
        // Random arguments, declaration shapes and names: either the generated code compiles, or the
        // generator said why with a PYM diagnostic (and generated nothing for it). Never both silent.
        var random = new Random(20261205);
        string[] names = { "Heap", "Layout", "Api", "OwnerScope", "Particles", "PoolHeader", "HeapState", "@class", "Heap2", "System" };
        string[] namespaces = { "", "Game", "Game.Memory", "System", "Pymalloc", "Pymalloc.Runtime" };
        string[] values = { "8", "16", "32", "12", "0", "-1", "4096", "16384", "65536", "262144", "1048576", "1 << 30", "512", "256", "2048" };
        for (int i = 0; i < 40; i++)
        {
            var args = new StringBuilder();
            void Arg(string text) => args.Append(args.Length == 0 ? "" : ", ").Append(text);
            foreach (string property in new[] { "Alignment", "PoolSize", "ArenaSize", "SmallRequestThreshold", "MaxArenas" })
            {
                if (random.Next(3) == 0)
                {
                    Arg($"{property} = {values[random.Next(values.Length)]}");
                }
            }
            if (random.Next(4) == 0) Arg($"Preset = (Pymalloc.PymallocPreset){random.Next(-1, 6)}");
            if (random.Next(4) == 0) Arg($"Threading = (Pymalloc.PymallocThreading){random.Next(-1, 3)}");
            if (random.Next(4) == 0) Arg($"OnMemoryLimit = (Pymalloc.MemoryLimitBehavior){random.Next(-1, 3)}");
            if (random.Next(4) == 0) Arg($"Debug = {(random.Next(2) == 0 ? "true" : "false")}");
            if (random.Next(4) == 0) Arg($"LiveCounters = {(random.Next(2) == 0 ? "true" : "false")}");
            string name = names[random.Next(names.Length)];
            string ns = namespaces[random.Next(namespaces.Length)];
            string source;
            if (random.Next(3) == 0)
            {
                if (random.Next(2) == 0) Arg($"TypeName = \"{(ns.Length == 0 ? "" : ns + ".")}{name}\"");
                source = $"[assembly: Pymalloc.PymallocConfig({args})]";
            }
            else
            {
                string declaration = $"[Pymalloc.PymallocConfig({args})] {(random.Next(5) == 0 ? "" : "static ")}unsafe partial class {name} {{ }}";
                if (random.Next(3) == 0)
                {
                    declaration = $"public {(random.Next(2) == 0 ? "partial " : "")}class Outer {{ {declaration} }}";
                }
                source = ns.Length == 0 ? declaration : $"namespace {ns} {{ {declaration} }}";
            }
            GeneratorRun run = GeneratorHarness.Run(source);
            bool diagnosed = run.GeneratorDiagnostics.Any(d => d.Id.StartsWith("PYM", StringComparison.Ordinal));
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "PYM099");
            Assert.DoesNotContain(run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics), d => d.Id == "CS8785");
            // Errors of the user's own source (a non-static class, say) come with a PYM diagnostic too.
            Diagnostic[] errors = run.CompileErrors.Where(e => e.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToArray();
            Assert.True(errors.Length == 0, $"case {i}: {source}\n{string.Join("\n", errors.Select(e => e.ToString()))}");
            Assert.True(diagnosed || run.Sources.Any(s => s.HintName.EndsWith(".Api.g.cs", StringComparison.Ordinal)), $"case {i}: {source}: neither code nor a diagnostic");
        }
    }
}
