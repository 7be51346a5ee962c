// The incremental pipeline: find PymallocConfig attributes (Parser), settle duplicates, then emit
// each valid allocator (Emitter) and report every diagnostic. Stages are named for step tracking.
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pymalloc.Generator;

/// <summary>Generates pymalloc allocators from <c>[PymallocConfig]</c> attributes.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class PymallocGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the parsed-attribute stage.</summary>
    public const string ParseStep = "PymallocSpecs";

    /// <summary>Tracking name of the stage that reads what the compilation allows and offers
    /// (unsafe code, the language version, System.Diagnostics.Metrics in the referenced runtime).</summary>
    public const string UnsafeStep = "PymallocCompilationFacts";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<ImmutableArray<AllocatorSpec>> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.AttributeMetadataName, Parser.IsCandidate, Parser.Parse)
            .WithTrackingName(ParseStep)
            .SelectMany(static (s, _) => s)
            .Collect();

        IncrementalValueProvider<CompilationFacts> facts = context.CompilationProvider
            .Select(static (c, _) => CompilationFacts.Of(c))
            .WithTrackingName(UnsafeStep);

        context.RegisterSourceOutput(specs.Combine(facts), static (spc, input) => Execute(spc, input.Left, input.Right));
    }

    private static void Execute(SourceProductionContext context, ImmutableArray<AllocatorSpec> specs, CompilationFacts facts)
    {
        bool allowUnsafe = facts.AllowUnsafe && facts.LanguageVersion >= LanguageVersion.CSharp9;
        bool unsafeReported = false, languageReported = false;
        bool haveAssemblyLevel = false;
        var generated = new System.Collections.Generic.List<AllocatorSpec>();
        // Every allocator's full name once: a class configured on two of its partial declarations, or
        // an assembly-level TypeName that names a class allocator, would otherwise emit the same files
        // twice (CS8785, and nothing generated at all).
        var names = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);
        // Ordered by source position so that "the second one" is the same on every build.
        foreach (AllocatorSpec original in specs.OrderBy(s => s.IsAssemblyLevel ? 0 : 1).ThenBy(s => s.SortKey, System.StringComparer.Ordinal))
        {
            AllocatorSpec spec = original;
            if (spec.IsAssemblyLevel)
            {
                if (haveAssemblyLevel)
                {
                    spec = Parser.WithError(spec, new DiagnosticInfo(DiagnosticDescriptors.DuplicateAssemblyConfig, spec.AttributeLocation, default));
                }
                haveAssemblyLevel = true;
            }
            if (spec.Diagnostics.Count == 0 && !names.Add(spec.FullName))
            {
                spec = Parser.WithError(spec, new DiagnosticInfo(DiagnosticDescriptors.DuplicateAssemblyConfig, spec.AttributeLocation, default));
            }
            if (!facts.AllowUnsafe && !unsafeReported)
            {
                spec = Parser.WithError(spec, new DiagnosticInfo(DiagnosticDescriptors.UnsafeBlocksRequired, spec.AttributeLocation, default));
                unsafeReported = true;
            }
            if (facts.LanguageVersion < LanguageVersion.CSharp9 && !languageReported)
            {
                spec = Parser.WithError(spec, new DiagnosticInfo(DiagnosticDescriptors.LanguageVersionTooLow, spec.AttributeLocation,
                    new EquatableArray<string>(System.Collections.Immutable.ImmutableArray.Create(facts.LanguageVersion.ToDisplayString()))));
                languageReported = true;
            }
            spec = spec with { Metrics = facts.HasMetrics };
            foreach (DiagnosticInfo d in spec.Diagnostics)
            {
                context.ReportDiagnostic(Diagnostic.Create(d.Descriptor, d.Location?.ToLocation(), d.Arguments.Items.ToArray<object>()));
            }
            if (spec.Diagnostics.Count != 0 || !allowUnsafe)
            {
                continue;
            }
            System.Collections.Generic.List<(string HintName, string Source)> files;
            try
            {
                files = Emitter.Emit(spec).ToList();
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                // A generator must never throw: the configuration gets an error instead of code.
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorFailure, spec.AttributeLocation?.ToLocation(), e.GetType().Name + ": " + e.Message));
                continue;
            }
            foreach ((string hintName, string source) in files)
            {
                context.AddSource(hintName, source);
            }
            generated.Add(spec);
        }
        if (generated.Count != 0)
        {
            context.AddSource(Emitter.RegistryHintName, Emitter.EmitRegistry(generated));
        }
    }
}

/// <summary>What the compilation allows and offers the generated code, as an equatable value (so an
/// edit that changes none of it reruns nothing).</summary>
/// <param name="AllowUnsafe">AllowUnsafeBlocks is set: the generated code is unsafe code.</param>
/// <param name="LanguageVersion">The effective C# version: the generated code needs C# 9 (function
/// pointers, native-sized integers) and uses nothing newer, so Unity's compiler takes it.</param>
/// <param name="HasMetrics">The referenced runtime has <c>PymallocMetrics</c> (its net8.0 asset; the
/// netstandard2.1 one has no System.Diagnostics.Metrics): only then is <c>CreateMeter</c> generated.</param>
internal sealed record CompilationFacts(bool AllowUnsafe, LanguageVersion LanguageVersion, bool HasMetrics)
{
    public static CompilationFacts Of(Compilation compilation) => new(
        compilation.Options is CSharpCompilationOptions { AllowUnsafe: true },
        compilation is CSharpCompilation csharp ? csharp.LanguageVersion : LanguageVersion.Latest,
        compilation.GetTypeByMetadataName("Pymalloc.PymallocMetrics") is not null);
}
