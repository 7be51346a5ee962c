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

    /// <summary>Tracking name of the "is unsafe code allowed" stage.</summary>
    public const string UnsafeStep = "PymallocAllowUnsafe";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<ImmutableArray<AllocatorSpec>> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.AttributeMetadataName, Parser.IsCandidate, Parser.Parse)
            .WithTrackingName(ParseStep)
            .SelectMany(static (s, _) => s)
            .Collect();

        IncrementalValueProvider<bool> allowUnsafe = context.CompilationProvider
            .Select(static (c, _) => c.Options is CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(UnsafeStep);

        context.RegisterSourceOutput(specs.Combine(allowUnsafe), static (spc, input) => Execute(spc, input.Left, input.Right));
    }

    private static void Execute(SourceProductionContext context, ImmutableArray<AllocatorSpec> specs, bool allowUnsafe)
    {
        bool unsafeReported = false;
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
                    spec = Parser.WithError(spec, new DiagnosticInfo("PYM007", spec.AttributeLocation, default));
                }
                haveAssemblyLevel = true;
            }
            if (spec.Diagnostics.Count == 0 && !names.Add(spec.FullName))
            {
                spec = Parser.WithError(spec, new DiagnosticInfo("PYM007", spec.AttributeLocation, default));
            }
            if (!allowUnsafe && !unsafeReported)
            {
                spec = Parser.WithError(spec, new DiagnosticInfo("PYM009", spec.AttributeLocation, default));
                unsafeReported = true;
            }
            foreach (DiagnosticInfo d in spec.Diagnostics)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor(d.Id), d.Location?.ToLocation(), d.Arguments.Items.ToArray<object>()));
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

    private static DiagnosticDescriptor Descriptor(string id) => id switch
    {
        "PYM001" => DiagnosticDescriptors.InvalidAlignment,
        "PYM002" => DiagnosticDescriptors.InvalidPoolSize,
        "PYM003" => DiagnosticDescriptors.InvalidArenaSize,
        "PYM004" => DiagnosticDescriptors.InvalidThreshold,
        "PYM005" => DiagnosticDescriptors.ThresholdTooLargeForPool,
        "PYM006" => DiagnosticDescriptors.TooManySizeClasses,
        "PYM007" => DiagnosticDescriptors.DuplicateAssemblyConfig,
        "PYM008" => DiagnosticDescriptors.NotStaticPartialClass,
        "PYM009" => DiagnosticDescriptors.UnsafeBlocksRequired,
        "PYM010" => DiagnosticDescriptors.InvalidTypeName,
        "PYM011" => DiagnosticDescriptors.NonConstantArgument,
        "PYM012" => DiagnosticDescriptors.UnknownPreset,
        "PYM013" => DiagnosticDescriptors.InvalidMaxArenas,
        "PYM014" => DiagnosticDescriptors.UndefinedEnumValue,
        "PYM015" => DiagnosticDescriptors.TypeNameOnClass,
        "PYM016" => DiagnosticDescriptors.ReservedTypeName,
        "PYM017" => DiagnosticDescriptors.DebugAlignment,
        _ => DiagnosticDescriptors.GeneratorFailure,
    };
}
