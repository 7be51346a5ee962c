// Every diagnostic the generator reports, in one place. Ids are stable and release-tracked in
// AnalyzerReleases.*.md; messages name the offending value and the rule it breaks.
using Microsoft.CodeAnalysis;

namespace Pymalloc.Generator;

internal static class DiagnosticDescriptors
{
    private const string Category = "Pymalloc";

    public static readonly DiagnosticDescriptor InvalidAlignment = new DiagnosticDescriptor(
        "PYM001", "Invalid alignment",
        LayoutModel.RuleMessage("PYM001"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidPoolSize = new DiagnosticDescriptor(
        "PYM002", "Invalid pool size",
        LayoutModel.RuleMessage("PYM002"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidArenaSize = new DiagnosticDescriptor(
        "PYM003", "Invalid arena size",
        LayoutModel.RuleMessage("PYM003"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidThreshold = new DiagnosticDescriptor(
        "PYM004", "Invalid small request threshold",
        LayoutModel.RuleMessage("PYM004"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ThresholdTooLargeForPool = new DiagnosticDescriptor(
        "PYM005", "Small request threshold too large for the pool",
        LayoutModel.RuleMessage("PYM005"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TooManySizeClasses = new DiagnosticDescriptor(
        "PYM006", "Too many size classes",
        LayoutModel.RuleMessage("PYM006"),
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateAssemblyConfig = new DiagnosticDescriptor(
        "PYM007", "More than one assembly-level configuration",
        "This is a second PymallocConfig for the same target; an assembly or class holds one allocator, so declare another allocator with [PymallocConfig] on its own static partial class",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotStaticPartialClass = new DiagnosticDescriptor(
        "PYM008", "Allocator type must be a static partial class",
        "'{0}' must be declared 'static partial class' (and its containing types 'partial') to hold a generated allocator",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsafeBlocksRequired = new DiagnosticDescriptor(
        "PYM009", "Unsafe code must be allowed",
        "The generated allocator uses pointers: set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidTypeName = new DiagnosticDescriptor(
        "PYM010", "Invalid type name",
        "TypeName = \"{0}\" is not a valid, optionally namespace-qualified, C# type name",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NonConstantArgument = new DiagnosticDescriptor(
        "PYM011", "Configuration argument is not a constant",
        "The value of '{0}' could not be read as a constant",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownPreset = new DiagnosticDescriptor(
        "PYM012", "Unknown preset",
        "Preset = {0} is not a PymallocPreset member (CPython311, CPython38, CPython27, CPython2718)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidMaxArenas = new DiagnosticDescriptor(
        "PYM013", "Invalid arena limit",
        "MaxArenas = {0} is invalid: it must be 0 (no limit) or a positive number of arenas",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UndefinedEnumValue = new DiagnosticDescriptor(
        "PYM014", "Undefined enum value",
        "{0} = {1} is not a {2} member ({3})",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TypeNameOnClass = new DiagnosticDescriptor(
        "PYM015", "TypeName on a class-level configuration",
        "TypeName = \"{0}\" applies to assembly-level configurations only: a class-level allocator is generated into '{1}' itself",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ReservedTypeName = new DiagnosticDescriptor(
        "PYM016", "Reserved allocator name",
        "An allocator cannot be named '{0}': the generated code declares nested types Layout, Api and OwnerScope inside it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DebugAlignment = new DiagnosticDescriptor(
        "PYM017", "Alignment too large for debug mode",
        "Alignment = {0} cannot be kept in debug mode: its 16-byte block header would leave the data 16 bytes past an Alignment boundary (use Alignment = 16 or less with Debug = true)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = new DiagnosticDescriptor(
        "PYM018", "C# 9 or later required",
        "The generated allocator needs C# 9 or later (function pointers, native-sized integers), and this project compiles C# {0}: set <LangVersion>9.0</LangVersion> or later",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GeneratorFailure = new DiagnosticDescriptor(
        "PYM099", "The generator failed",
        "The Pymalloc generator failed unexpectedly and generated nothing for this configuration: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The descriptor of a layout rule <see cref="LayoutModel.Validate"/> reports by id (that
    /// file has no Roslyn types, so the tool can compile it too).</summary>
    public static DiagnosticDescriptor ForLayoutRule(string id) => id switch
    {
        "PYM001" => InvalidAlignment,
        "PYM002" => InvalidPoolSize,
        "PYM003" => InvalidArenaSize,
        "PYM004" => InvalidThreshold,
        "PYM005" => ThresholdTooLargeForPool,
        "PYM006" => TooManySizeClasses,
        _ => throw new System.ArgumentOutOfRangeException(nameof(id), id, "LayoutModel reported a rule with no descriptor"),
    };
}
