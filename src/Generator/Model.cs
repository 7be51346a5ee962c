// The equatable model between Parser and Emitter. It holds no symbols, syntax nodes, Location or
// AttributeData, so an edit that does not touch a configuration compares equal and reruns nothing.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Pymalloc.Generator;

/// <summary>Where something is in source, without holding the syntax tree.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
        => location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report: its descriptor (an immutable value that compares by content, as the
/// model must), where, and the message's arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments);

/// <summary>One allocator to generate: where it goes, its layout, and what is wrong with it.</summary>
/// <param name="Namespace">Namespace of the generated type, or null for the global namespace.</param>
/// <param name="TypeName">Simple name of the generated type.</param>
/// <param name="ContainingTypes">Declarations of enclosing types, outermost first (e.g. "partial class Engine").</param>
/// <param name="IsAssemblyLevel">From <c>[assembly: PymallocConfig]</c> rather than a class.</param>
/// <param name="Layout">The configured layout.</param>
/// <param name="Source">The attribute as written, for the generated header.</param>
/// <param name="SortKey">File path and position of the attribute, to order duplicates deterministically.</param>
/// <param name="AttributeLocation">Where the attribute is, for diagnostics about the whole configuration.</param>
/// <param name="Diagnostics">Errors found; an allocator with any is not generated.</param>
/// <param name="Accessible">Reachable from anywhere in the assembly (not nested in a private type).</param>
/// <param name="MaxArenas">CPython's MAX_ARENAS; 0 for no limit.</param>
/// <param name="FailOnLimit">Small requests fail, rather than go raw, when no arena can be had.</param>
/// <param name="Debug">Debug mode (PYMALLOC_DEBUG).</param>
/// <param name="UncheckedThreads">Threading = Unchecked: no owner check is emitted into the calls.</param>
/// <param name="LiveCounters">The fast paths keep per-operation counters.</param>
/// <param name="Hardened">Frees and allocations check their pointers (the hardened release mode).</param>
/// <param name="Metrics">The referenced runtime offers System.Diagnostics.Metrics (set from the compilation, not the attribute).</param>
internal sealed record AllocatorSpec(
    string? Namespace,
    string TypeName,
    EquatableArray<string> ContainingTypes,
    bool IsAssemblyLevel,
    LayoutConfig Layout,
    string Source,
    string SortKey,
    LocationInfo? AttributeLocation,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool Accessible = true,
    int MaxArenas = 0,
    bool FailOnLimit = false,
    bool Debug = false,
    bool UncheckedThreads = false,
    bool LiveCounters = false,
    bool Hardened = false,
    bool Metrics = true)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".")
        + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, c => c.Substring(c.LastIndexOf(' ') + 1) + "."))
        + TypeName;
}
