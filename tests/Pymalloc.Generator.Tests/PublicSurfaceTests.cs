// The runtime's Pymalloc.Runtime namespace is public only because generated code, compiled into the
// user's assembly, must reach it. These tests hold it to that: every public member there is one some
// generated allocator calls, every type is hidden from IntelliSense, and the namespace stays small.
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class PublicSurfaceTests
{
    // One configuration per emitted variant: checked owner, debug (with a memory limit), hardened,
    // unchecked threads with live counters, and a limit that fails instead of going raw.
    private static readonly string[] Configurations =
    {
        "[assembly: Pymalloc.PymallocConfig]",
        "[assembly: Pymalloc.PymallocConfig(Debug = true, MaxArenas = 16)]",
        "[assembly: Pymalloc.PymallocConfig(Hardened = true)]",
        "[assembly: Pymalloc.PymallocConfig(Threading = Pymalloc.PymallocThreading.Unchecked, LiveCounters = true)]",
        "[assembly: Pymalloc.PymallocConfig(MaxArenas = 8, OnMemoryLimit = Pymalloc.MemoryLimitBehavior.Fail)]",
    };

    private const string RuntimeNamespace = "Pymalloc.Runtime";

    [Fact]
    public void EveryPublicRuntimeMemberIsOneGeneratedCodeCalls()
    {
        var used = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        Compilation? any = null;
        foreach (string configuration in Configurations)
        {
            GeneratorRun run = GeneratorHarness.Run(configuration);
            Assert.Empty(run.CompileErrors);
            any = run.Output;
            foreach (SyntaxTree tree in run.Output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal)))
            {
                SemanticModel model = run.Output.GetSemanticModel(tree);
                foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    ISymbol? symbol = model.GetSymbolInfo(name).Symbol;
                    if (symbol is not null && InRuntime(symbol))
                    {
                        used.Add(symbol.OriginalDefinition);
                    }
                }
            }
        }

        List<ISymbol> published = PublicRuntimeSymbols(any!).ToList();
        string[] unused = published.Where(s => s is not INamedTypeSymbol && !used.Contains(s))
            .Select(s => s.ToDisplayString()).OrderBy(s => s, System.StringComparer.Ordinal).ToArray();
        Assert.True(unused.Length == 0, "Public in Pymalloc.Runtime but called by no generated code (make it internal): " + string.Join(", ", unused));
    }

    [Fact]
    public void TheRuntimeNamespaceIsHiddenFromIntelliSenseAndSmall()
    {
        Compilation compilation = GeneratorHarness.Run(Configurations[0]).Output;
        List<ISymbol> published = PublicRuntimeSymbols(compilation).ToList();
        foreach (INamedTypeSymbol type in published.OfType<INamedTypeSymbol>())
        {
            Assert.True(type.GetAttributes().Any(a => a.AttributeClass?.Name == "EditorBrowsableAttribute"
                && a.ConstructorArguments.Length == 1 && (int)a.ConstructorArguments[0].Value! == 1 /* Never */),
                type.ToDisplayString() + " is public for generated code only and must say so with [EditorBrowsable(Never)]");
        }
        // The budget 0.1.0 freezes (issue 15): what generated code calls, nothing more.
        Assert.InRange(published.Count, 1, 40);
    }

    private static bool InRuntime(ISymbol symbol)
    {
        INamedTypeSymbol? type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        while (type?.ContainingType is not null)
        {
            type = type.ContainingType;
        }
        return type?.ContainingNamespace.ToDisplayString() == RuntimeNamespace;
    }

    /// <summary>The public types of Pymalloc.Runtime in the referenced runtime, and their public members
    /// other than implicit constructors: what PublicAPI.*.txt lists for the namespace.</summary>
    private static IEnumerable<ISymbol> PublicRuntimeSymbols(Compilation compilation)
    {
        IAssemblySymbol runtime = compilation.GetTypeByMetadataName("Pymalloc.PymallocConfigAttribute")!.ContainingAssembly;
        INamespaceSymbol ns = runtime.GlobalNamespace.GetNamespaceMembers().Single(n => n.Name == "Pymalloc")
            .GetNamespaceMembers().Single(n => n.Name == "Runtime");
        foreach (INamedTypeSymbol type in ns.GetTypeMembers().Where(t => t.DeclaredAccessibility == Accessibility.Public))
        {
            yield return type;
            foreach (ISymbol member in type.GetMembers())
            {
                if (member.DeclaredAccessibility == Accessibility.Public && !member.IsImplicitlyDeclared && member.CanBeReferencedByName
                    && member is not IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet })
                {
                    yield return member;
                }
            }
        }
    }
}
