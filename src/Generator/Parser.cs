// Parser: from the attribute as Roslyn sees it to an equatable AllocatorSpec. Everything that
// needs symbols or syntax (argument values, their locations, the target's shape) happens here,
// and nothing of Roslyn's object graph leaks into the model.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pymalloc.Generator;

internal static class Parser
{
    public const string AttributeMetadataName = "Pymalloc.PymallocConfigAttribute";
    public const string DefaultNamespace = "Pymalloc.Generated";
    public const string DefaultTypeName = "PymallocAllocator";

    /// <summary>The presets, by PymallocPreset value (LayoutModel.Presets).</summary>
    public static LayoutConfig[] Presets => LayoutModel.Presets;

    public static LayoutConfig CPython311 => Presets[0];

    /// <summary>The types generated inside an allocator: a class of the same name cannot hold them (CS0542).</summary>
    private static readonly string[] ReservedNames = { "Layout", "Api", "OwnerScope" };

    public static bool IsCandidate(SyntaxNode node, CancellationToken _)
        => node is CompilationUnitSyntax or ClassDeclarationSyntax;

    public static EquatableArray<AllocatorSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var specs = ImmutableArray.CreateBuilder<AllocatorSpec>();
        bool first = true;
        foreach (AttributeData attribute in context.Attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AllocatorSpec spec;
            try
            {
                spec = ParseOne(context, attribute, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A generator must never throw: report and generate nothing for this attribute.
                LocationInfo? where = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation());
                spec = Failed(where, e.GetType().Name + ": " + e.Message);
            }
            if (!first && !spec.IsAssemblyLevel)
            {
                // A class holds one allocator; assembly-level duplicates are found across files later.
                spec = WithError(spec, new DiagnosticInfo(DiagnosticDescriptors.DuplicateAssemblyConfig, spec.AttributeLocation, Args()));
            }
            first = false;
            specs.Add(spec);
        }
        // Equatable, so that a rerun after an unrelated edit compares equal and stops here.
        return new EquatableArray<AllocatorSpec>(specs.ToImmutable());
    }

    private static AllocatorSpec ParseOne(GeneratorAttributeSyntaxContext context, AttributeData attribute, CancellationToken ct)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        LocationInfo? attributeLocation = LocationInfo.From(syntax?.GetLocation());
        var diagnostics = new List<DiagnosticInfo>();

        // Where each named argument is written, so a diagnostic points at the offending value.
        var argumentLocations = new Dictionary<string, LocationInfo?>(StringComparer.Ordinal);
        if (syntax?.ArgumentList is { } list)
        {
            foreach (AttributeArgumentSyntax argument in list.Arguments)
            {
                string? argName = argument.NameEquals?.Name.Identifier.ValueText;
                if (argName is not null)
                {
                    argumentLocations[argName] = LocationInfo.From(argument.GetLocation());
                }
            }
        }
        LocationInfo? LocationOf(string property)
            => argumentLocations.TryGetValue(property, out LocationInfo? l) && l is not null ? l : attributeLocation;

        // The preset first, wherever it is written: explicit properties override it.
        LayoutConfig preset = CPython311;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Preset" && named.Value.Kind != TypedConstantKind.Error && named.Value.Value is int index)
            {
                if (index >= 0 && index < Presets.Length)
                {
                    preset = Presets[index];
                }
                else
                {
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnknownPreset, LocationOf("Preset"), Args(index.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }
            }
        }
        int alignment = preset.Alignment, poolSize = preset.PoolSize, arenaSize = preset.ArenaSize, threshold = preset.SmallRequestThreshold;
        string? typeName = null;
        int maxArenas = 0;
        bool failOnLimit = false;
        bool debug = false, uncheckedThreads = false, liveCounters = false, hardened = false;
        // An enum property outside its members would otherwise be read as some default silently.
        void CheckEnum(string property, int value, int count, string enumName, string members)
        {
            if (value < 0 || value >= count)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UndefinedEnumValue, LocationOf(property),
                    Args(property, value.ToString(System.Globalization.CultureInfo.InvariantCulture), enumName, members)));
            }
        }
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            TypedConstant value = named.Value;
            if (value.Kind == TypedConstantKind.Error || (value.Value is null && named.Key != "TypeName"))
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.NonConstantArgument, LocationOf(named.Key), Args(named.Key)));
                continue;
            }
            switch (named.Key)
            {
                case "Alignment": alignment = (int)value.Value!; break;
                case "PoolSize": poolSize = (int)value.Value!; break;
                case "ArenaSize": arenaSize = (int)value.Value!; break;
                case "SmallRequestThreshold": threshold = (int)value.Value!; break;
                case "TypeName": typeName = value.Value as string; break;
                case "MaxArenas": maxArenas = (int)value.Value!; break;
                case "OnMemoryLimit":
                    CheckEnum(named.Key, (int)value.Value!, 2, "MemoryLimitBehavior", "FallBackToRaw, Fail");
                    failOnLimit = (int)value.Value! == 1;
                    break;
                case "Threading":
                    CheckEnum(named.Key, (int)value.Value!, 2, "PymallocThreading", "CheckedOwner, Unchecked");
                    uncheckedThreads = (int)value.Value! == 1;
                    break;
                case "Debug": debug = (bool)value.Value!; break;
                case "LiveCounters": liveCounters = (bool)value.Value!; break;
                case "Hardened": hardened = (bool)value.Value!; break;
            }
        }
        var layout = new LayoutConfig(alignment, poolSize, arenaSize, threshold, preset.PresetName);
        if (debug && alignment > 16)
        {
            // Debug mode puts CPython's 16-byte header before each block's data, so the data would be
            // 16 bytes past an Alignment boundary: refuse rather than break the documented alignment.
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.DebugAlignment, LocationOf("Alignment"), Args(alignment.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        if (maxArenas < 0)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidMaxArenas, LocationOf("MaxArenas"), Args(maxArenas.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        foreach ((string id, string property, string[] args) in LayoutModel.Validate(layout))
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.ForLayoutRule(id), LocationOf(property), Args(args)));
        }

        string? ns;
        string name;
        bool accessible = true;
        var containers = new List<string>();
        bool assemblyLevel = context.TargetSymbol is IAssemblySymbol;
        if (assemblyLevel)
        {
            ns = DefaultNamespace;
            name = DefaultTypeName;
            if (typeName is not null)
            {
                string[] parts = typeName.Split('.');
                if (parts.Any(p => !SyntaxFacts.IsValidIdentifier(p) || SyntaxFacts.GetKeywordKind(p) != SyntaxKind.None))
                {
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidTypeName, LocationOf("TypeName"), Args(typeName)));
                }
                else
                {
                    name = parts[parts.Length - 1];
                    ns = parts.Length > 1 ? string.Join(".", parts, 0, parts.Length - 1) : null;
                }
            }
        }
        else
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (ClassDeclarationSyntax)context.TargetNode;
            name = Escape(type.Name);
            if (typeName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.TypeNameOnClass, LocationOf("TypeName"), Args(typeName, type.Name)));
            }
            ns = type.ContainingNamespace.IsGlobalNamespace ? null : string.Join(".", type.ContainingNamespace.ToDisplayString().Split('.').Select(Escape));
            bool ok = type.IsStatic && declaration.Modifiers.Any(SyntaxKind.PartialKeyword) && type.TypeParameters.Length == 0;
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var outerSyntax = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as TypeDeclarationSyntax;
                if (outerSyntax is null || !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword) || outer.TypeParameters.Length != 0)
                {
                    ok = false;
                    break;
                }
                string kind = outerSyntax switch
                {
                    RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
                    StructDeclarationSyntax => "struct",
                    InterfaceDeclarationSyntax => "interface",
                    _ => "class",
                };
                containers.Insert(0, "partial " + kind + " " + Escape(outer.Name));
            }
            if (!ok)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.NotStaticPartialClass, LocationInfo.From(declaration.Identifier.GetLocation()), Args(type.Name)));
            }
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                accessible &= t.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;
            }
        }

        if (Array.IndexOf(ReservedNames, name.TrimStart('@')) >= 0)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.ReservedTypeName, assemblyLevel ? LocationOf("TypeName") : LocationInfo.From(((ClassDeclarationSyntax)context.TargetNode).Identifier.GetLocation()),
                Args(name)));
        }

        string sortKey = (attributeLocation?.FilePath ?? "") + ":" + (attributeLocation?.Span.Start ?? 0).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        string source = syntax is null ? "PymallocConfig" : syntax.ToString();
        return new AllocatorSpec(ns, name, new EquatableArray<string>(containers.ToImmutableArray()), assemblyLevel,
            layout, (assemblyLevel ? "[assembly: " : "[") + source + "]", sortKey, attributeLocation,
            new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()), accessible, maxArenas, failOnLimit, debug,
            uncheckedThreads, liveCounters, hardened);
    }

    /// <summary>A name as C# source must spell it: a keyword used as a name (<c>@class</c>) keeps its @.</summary>
    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    public static AllocatorSpec WithError(AllocatorSpec spec, DiagnosticInfo error)
        => spec with { Diagnostics = new EquatableArray<DiagnosticInfo>(spec.Diagnostics.Items.Add(error)) };

    private static AllocatorSpec Failed(LocationInfo? where, string message)
        => new(DefaultNamespace, DefaultTypeName, default, true, CPython311, "", where?.FilePath ?? "", where,
            new EquatableArray<DiagnosticInfo>(ImmutableArray.Create(new DiagnosticInfo(DiagnosticDescriptors.GeneratorFailure, where, Args(message)))));

    private static EquatableArray<string> Args(params string[] args) => new(args.ToImmutableArray());
}
