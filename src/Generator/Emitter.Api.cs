// The Api file: the allocator's public surface over its one heap.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string Literal(string text)
        => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

    private static string EmitApi(AllocatorSpec spec, LayoutModel m)
    {
        string t = spec.TypeName;
        string self = "global::" + spec.FullName; // never captured by a type of the same name
        bool d = spec.Debug;
        // Threading = Unchecked (outside debug mode, which always checks): no owner check is emitted.
        bool u = spec.UncheckedThreads && !d;
        // CreateMeter only where the referenced runtime has System.Diagnostics.Metrics (net8.0 asset).
        string meter = !spec.Metrics ? "" : $$"""
/// <summary>
/// Publishes the static heap's figures as <c>System.Diagnostics.Metrics</c> instruments under a
/// meter named "{{spec.FullName}}" (visible to <c>dotnet-counters monitor --counters {{spec.FullName}}</c>).
/// {{(spec.LiveCounters
    ? "LiveCounters = true: the fast paths count allocations and bytes, and observing reads those counters."
    : "The fast paths count nothing for it: the bytes in blocks are derived from the pools when read (any thread).")}}
/// </summary>
public static System.Diagnostics.Metrics.Meter CreateMeter() => PymallocMetrics.Create<Layout>("{{spec.FullName}}", s_heap);

""";
        // Declared after s_heap in the same file, so initialised after it (Recording.g.cs uses it).
        string recorderField = d ? "" : $$"""


// PYMALLOC_TRACE=<path>: the recorder of every call, or null. Readonly like s_heap, so once the
// class is initialised the JIT folds each `s_recorder is not null` test away when it is null.
private static readonly TraceRecorder? s_recorder = TraceRecorder.FromEnvironment(
    "{{spec.FullName}}", s_heap, Layout.Alignment, Layout.PoolSize, Layout.ArenaSize, Layout.SmallRequestThreshold);
""";
        string debugMembers = !d ? "" : $$"""


// Debug mode (PYMALLOC_DEBUG): guard bytes, fills, API ids and serial numbers around every block.
private static readonly DebugState s_debug = new("{{spec.FullName}}");

/// <summary>Checks every block's guard bytes, every freed block's fill, and the heap's invariants.</summary>
/// <exception cref="HeapCorruptionException">Something was overwritten.</exception>
public static void CheckHeap() => PymallocDebug<Layout>.CheckHeap(s_heap, s_debug);
""";
        string newBody = d
            ? "\n    return (T*)PymallocDebug<Layout>.Malloc(s_heap, s_debug, (nuint)sizeof(T), PymallocDebug<Layout>.TypedApi);"
            : u ? """

    if (s_recorder is not null)
    {
        return (T*)RecordMalloc((nuint)sizeof(T));
    }
    return NewOnOwner<T>(); // Threading = Unchecked: nothing to check
"""
            : """

    if (s_recorder is not null)
    {
        return (T*)RecordMalloc((nuint)sizeof(T));
    }
    CheckOwner();
    return NewOnOwner<T>();
""";
        // A checked call tests that it runs on the owner's stack (inlined: a subtraction and a compare);
        // everything else — claiming an unowned heap, refusing another thread — is out of line in
        // PymallocCore. An unchecked call is the core's path alone.
        // Not in debug mode, a call first asks whether PYMALLOC_TRACE is recording (Recording.g.cs).
        string Checked(string debugCall, string call, string record)
            => d ? $" => {debugCall};"
            : $"\n{{\n    if (s_recorder is not null)\n    {{\n        return {record};\n    }}\n{(u ? "" : "    CheckOwner();\n")}    return {call};\n}}";
        string threadRule = d
            ? (spec.UncheckedThreads
                ? "Threading = Unchecked: one thread at a time. Debug mode reports a call that overlaps another thread's."
                : "Any thread may call it: debug mode serialises calls with a lock.")
            : u ? "Threading = Unchecked: one thread at a time (CPython's contract under the GIL), and nothing is checked;\n/// calls from two threads at once corrupt the heap. Debug mode reports them."
            : "Only the thread that owns the static heap allocates: the first thread to allocate takes it, and\n/// another thread gets an <see cref=\"InvalidOperationException\"/> until the owner calls <see cref=\"ReleaseOwnership\"/>\n/// (give other threads their own heaps with <see cref=\"CreateHeap\"/>). The check is one compare.";
        string freeRule = d
            ? (spec.UncheckedThreads
                ? "Threading = Unchecked: one thread at a time. Debug mode reports a call that overlaps another thread's."
                : "Any thread may call it: debug mode serialises calls with a lock.")
            : u ? "Threading = Unchecked: pymalloc's free, with no owner check; one thread at a time."
            : "On the owner thread this is pymalloc's free; on another thread the block is pushed on the heap's\n/// delayed-free list with one compare-and-swap, and the owner takes it back on its next allocation slow path.";
        string freeBody = d
            ? " => PymallocDebug<Layout>.Free(s_heap, s_debug, ptr, PymallocDebug<Layout>.ObjectApi);"
            : u ? """

{
    if (s_recorder is not null)
    {
        RecordFree(ptr);
        return;
    }
    PymallocCore<Layout>.Free(s_heap, ptr);
}
"""
            : """

{
    if (s_recorder is not null)
    {
        RecordFree(ptr);
    }
    else if (PymallocCore<Layout>.OnOwnerThread(s_heap))
    {
        PymallocCore<Layout>.Free(s_heap, ptr);
    }
    else
    {
        PymallocCore<Layout>.FreeFromAnyThread(s_heap, ptr);
    }
}
""";
        // A walk of the whole heap reads every pool: on the owner (or an unowned heap, held for the
        // walk), under debug mode's lock, or — unchecked — wherever the program says it is safe.
        string snapshotRule = d || u ? "" : "\n/// <exception cref=\"InvalidOperationException\">Another thread owns the heap and may be allocating: take it on the owner.</exception>";
        string Snapshot(string call, string debugCall, bool returns)
            => d ? $" => {debugCall};" : u ? $" => {call};"
            : $"\n{{\n    bool claimed = PymallocCore<Layout>.BeginSnapshot(s_heap, \"{t}\");\n    try\n    {{\n        {(returns ? "return " : "")}{call};\n    }}\n    finally\n    {{\n        PymallocCore<Layout>.EndSnapshot(s_heap, claimed);\n    }}\n}}";
        string limit = spec.MaxArenas != 0 || spec.FailOnLimit
            ? $"PymallocCore<Layout>.SetMemoryLimit(heap, {I(spec.MaxArenas)}, failInsteadOfRaw: {(spec.FailOnLimit ? "true" : "false")}); // MaxArenas, OnMemoryLimit"
            : "// No MaxArenas: arenas are mapped for as long as the arena allocator provides them.";
        string body = $$"""
            // The heap behind the static API, created when the class is first used and never freed,
            // like CPython's global pymalloc state. It lives in unmanaged memory, and the field is
            // readonly, so once the class is initialised the JIT treats its address as a constant.
            private static readonly HeapState* s_heap = CreateStaticHeap();{{recorderField}}{{debugMembers}}

            private static HeapState* CreateStaticHeap()
            {
                HeapState* heap = PymallocCore<Layout>.CreateHeap();
                if (heap == null)
                {
                    throw new OutOfMemoryException("Cannot allocate the {{t}} heap.");
                }
                {{limit}}{{(d ? "\n    PymallocDebug<Layout>.Attach(heap); // its blocks carry debug headers" : "")}}
                {{(d ? "// Owned by no thread: the debug layer's lock orders the calls, from any thread."
                     : u ? "// Owned by no thread: with Threading = Unchecked nothing checks an owner."
                     : "// Owned by no thread yet: the first thread to allocate takes it (see CheckOwner).")}}
                PymallocCore<Layout>.ReleaseOwnership(heap);
                return heap;
            }

            /// <summary>Allocates <paramref name="size"/> bytes like <see cref="Malloc"/>, throwing instead of returning null.</summary>
            /// <exception cref="OutOfMemoryException">The size exceeds 2^63 - 1, or memory is exhausted.</exception>
            public static void* Allocate(nuint size)
            {
                void* block = Malloc(size);
                return block != null ? block : throw new OutOfMemoryException($"{{t}} cannot allocate {size} bytes.");
            }

            /// <summary>
            /// Replaces the raw allocator under this allocator (CPython's RAW domain: requests the pools do
            /// not serve, and the heap's bookkeeping). Call it before the allocator is first used.
            /// </summary>
            /// <exception cref="InvalidOperationException">The allocator has already used its raw allocator.</exception>
            public static void SetRawAllocator(in RawAllocator allocator) => PymallocCore<Layout>.SetRawAllocator(s_heap, allocator);

            /// <summary>
            /// Replaces the arena allocator (CPython's <c>PyObject_SetArenaAllocator</c>). Call it before the
            /// allocator maps its first arena.
            /// </summary>
            /// <exception cref="InvalidOperationException">The allocator has already mapped an arena.</exception>
            public static void SetArenaAllocator(in ArenaAllocator allocator) => PymallocCore<Layout>.SetArenaAllocator(s_heap, allocator);

            /// <summary>
            /// Allocates <paramref name="size"/> bytes, like <c>PyObject_Malloc</c>: 1..{{I(m.SmallRequestThreshold)}} bytes from
            /// the pools, 0 or more bytes from the raw allocator. The block is {{I(m.Alignment)}}-byte aligned.
            /// </summary>
            /// <returns>The block, or null if <paramref name="size"/> exceeds 2^63 - 1 or memory is exhausted.</returns>
            /// <remarks>
            /// {{threadRule}}
            /// The size class is computed
            /// ((size - 1) &gt;&gt; {{I(m.AlignmentShift)}}) and indexes <c>usedpools</c> directly, as obmalloc.c does: measured on
            /// the CPython traces, a jump to per-class code costs a mispredicted indirect branch whenever
            /// sizes vary. Inlined where <paramref name="size"/> is a constant, the JIT folds the index and
            /// this becomes the same code as the size class's <c>AllocateSizeClass</c> path, which
            /// <see cref="New{T}"/> calls directly.
            /// </remarks>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void* Malloc(nuint size){{Checked("PymallocDebug<Layout>.Malloc(s_heap, s_debug, size, PymallocDebug<Layout>.ObjectApi)", "PymallocCore<Layout>.Malloc(s_heap, size)", "RecordMalloc(size)")}}

            /// <summary>Allocates zeroed memory for <paramref name="count"/> elements of <paramref name="size"/> bytes, like <c>PyObject_Calloc</c>.</summary>
            /// <returns>The block, or null if the product overflows 2^63 - 1 (it never wraps) or memory is exhausted.</returns>
            public static void* Calloc(nuint count, nuint size){{Checked("PymallocDebug<Layout>.Calloc(s_heap, s_debug, count, size, PymallocDebug<Layout>.ObjectApi)", "PymallocCore<Layout>.Calloc(s_heap, count, size)", "RecordCalloc(count, size)")}}

            /// <summary>
            /// Resizes a block, like <c>PyObject_Realloc</c>: null <paramref name="ptr"/> allocates; a pool block
            /// stays put while the new size fits its class and wastes less than a quarter of it, and otherwise
            /// moves (allocate, copy, then free); a raw block stays with the raw allocator.
            /// </summary>
            /// <returns>The block, or null on failure, in which case <paramref name="ptr"/> is untouched.</returns>
            /// <remarks>{{(d || u ? threadRule : "Only the owner thread resizes: a move allocates.")}}</remarks>
            public static void* Realloc(void* ptr, nuint size){{Checked("PymallocDebug<Layout>.Realloc(s_heap, s_debug, ptr, size, PymallocDebug<Layout>.ObjectApi)", "PymallocCore<Layout>.Realloc(s_heap, ptr, size)", "RecordRealloc(ptr, size)")}}

            /// <summary>Frees a block from this allocator, like <c>PyObject_Free</c>{{(u ? "" : ", from any thread")}}. Null is ignored;
            /// a pointer outside the allocator's arenas is passed to the raw allocator's free.</summary>
            /// <remarks>{{freeRule}}</remarks>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Free(void* ptr){{freeBody}}

            /// <summary>True if <paramref name="ptr"/> lies in one of this allocator's arenas. Never reads <paramref name="ptr"/>.</summary>
            public static bool Contains(void* ptr) => PymallocCore<Layout>.Contains(s_heap, ptr);

            /// <summary>Walks every arena, pool and list and checks pymalloc's invariants (for tests and debugging sessions).</summary>
            /// <exception cref="HeapCorruptionException">An invariant does not hold.</exception>{{snapshotRule}}
            public static void Validate(){{Snapshot("PymallocCore<Layout>.Validate(s_heap)", "PymallocDebug<Layout>.Validate(s_heap, s_debug)", returns: false)}}

            /// <summary>The heap behind the static API: pools, arenas and counters, for tools and diagnostics.</summary>
            public static HeapState* State => s_heap;

            /// <summary>A snapshot of the allocator's statistics (walks every arena; not for hot paths).</summary>{{snapshotRule}}
            public static MallocStats GetStats(){{Snapshot("PymallocCore<Layout>.GetStats(s_heap)", "PymallocDebug<Layout>.GetStats(s_heap, s_debug)", returns: true)}}

            /// <summary>Writes the text CPython's <c>_PyObject_DebugMallocStats</c> prints for the same state.</summary>
            public static void WriteDebugMallocStats(TextWriter writer) => GetStats().WriteTo(writer);

            /// <summary>
            /// Allocates an uninitialised <typeparamref name="T"/>. <c>sizeof(T)</c> is a constant for each
            /// <typeparamref name="T"/>, so the JIT folds the threshold test and the size-class switch: the
            /// call compiles to that class's fast path alone, with no dispatch at run time. Types larger
            /// than {{I(m.SmallRequestThreshold)}} bytes come from the raw allocator.
            /// </summary>
            /// <returns>The object, or null if memory is exhausted. Free it with <see cref="Delete{T}"/> or <see cref="Free"/>.</returns>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static T* New<T>() where T : unmanaged
            {{{newBody}}
            }

            /// <summary>Frees an object from <see cref="New{T}"/> (the same as <see cref="Free"/>: the class is read from the pool header).</summary>
            public static void Delete<T>(T* ptr) where T : unmanaged => {{(d ? "PymallocDebug<Layout>.Free(s_heap, s_debug, ptr, PymallocDebug<Layout>.TypedApi)" : "Free(ptr)")}};

            /// <summary>
            /// Allocates an uninitialised array of <paramref name="length"/> <typeparamref name="T"/> that carries its
            /// length, with bounds-checked <see cref="UnmanagedBuffer{T}.Span"/> access (<see cref="NewArray{T}"/> is the
            /// bare pointer). <see cref="UnmanagedBuffer{T}.IsNull"/> when memory is exhausted; free it with
            /// <c>Free(buffer.Pointer)</c>.
            /// </summary>
            /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
            public static UnmanagedBuffer<T> NewBuffer<T>(int length) where T : unmanaged
            {
                T* block = length >= 0 ? NewArray<T>((nuint)length) : throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer's length cannot be negative.");
                return block == null ? default : new UnmanagedBuffer<T>(block, length);
            }

            /// <summary>
            /// Allocates an uninitialised array of <paramref name="count"/> <typeparamref name="T"/>, like CPython's
            /// <c>PyMem_New</c>: if <c>count * sizeof(T)</c> would exceed 2^63 - 1 the result is null; it never wraps.
            /// </summary>
            public static T* NewArray<T>(nuint count) where T : unmanaged
                => count > PymallocCore<Layout>.MaxRequest / (ulong)sizeof(T) ? null : (T*){{(d ? "PymallocDebug<Layout>.Malloc(s_heap, s_debug, count * (nuint)sizeof(T), PymallocDebug<Layout>.TypedApi)" : "Malloc(count * (nuint)sizeof(T))")}};

            /// <summary>
            /// Resizes an array from <see cref="NewArray{T}"/> to <paramref name="count"/> elements, like CPython's
            /// <c>PyMem_Resize</c> but without losing the array on failure: if <c>count * sizeof(T)</c> would
            /// exceed 2^63 - 1, or memory is exhausted, the result is null and <paramref name="ptr"/> is untouched.
            /// </summary>
            public static T* ResizeArray<T>(T* ptr, nuint count) where T : unmanaged
                => count > PymallocCore<Layout>.MaxRequest / (ulong)sizeof(T) ? null : (T*){{(d ? "PymallocDebug<Layout>.Realloc(s_heap, s_debug, ptr, count * (nuint)sizeof(T), PymallocDebug<Layout>.TypedApi)" : "Realloc(ptr, count * (nuint)sizeof(T))")}};

            /// <summary>
            /// Creates an independent heap with this allocator's layout: its own pools, arenas and
            /// statistics, separate from the static API's. The creating thread owns it (see <see cref="Heap{TLayout}"/>);
            /// <see cref="Heap{TLayout}.Dispose"/> releases all its arenas at once (a level unload) and
            /// <see cref="Heap{TLayout}.Reset"/> empties it while keeping them (a frame allocator).
            /// </summary>
            public static {{(d ? "DebugHeap<Layout> CreateHeap() => DebugHeap<Layout>.Create(\"" + spec.FullName + " heap\");" : "Heap<Layout> CreateHeap() => Heap<Layout>.Create();")}}

            {{meter}}/// <summary>Returns the freed arenas kept for reuse to the OS now, rather than after the purge delay
            /// (the arena cache: at most 8 MiB, purged after a second); returns how many. E.g. after a level unload, before a memory report.</summary>
            public static int TrimArenaCache(){{(d ? " => PymallocDebug<Layout>.TrimArenaCache(s_heap, s_debug);" : u ? " => PymallocCore<Layout>.TrimArenaCache(s_heap);" : "\n{\n    CheckOwner();\n    return PymallocCore<Layout>.TrimArenaCache(s_heap);\n}")}}

            /// <summary>This allocator's layout and size-class table, and access to its statistics.</summary>
            public static PymallocAllocatorInfo Info { get; } = PymallocAllocatorInfo.Create<Layout>(
                "{{spec.FullName}}", {{Literal(spec.Source)}}, "{{spec.Layout.PresetName}}", GetStats);

            /// <summary>The static API of <see cref="{{t}}"/> as an <see cref="IUnmanagedAllocator"/>, for generic code.</summary>
            public readonly struct Api : IUnmanagedAllocator
            {
                void* IUnmanagedAllocator.Malloc(nuint size) => {{self}}.Malloc(size);
                void* IUnmanagedAllocator.Calloc(nuint count, nuint size) => {{self}}.Calloc(count, size);
                void* IUnmanagedAllocator.Realloc(void* ptr, nuint size) => {{self}}.Realloc(ptr, size);
                void IUnmanagedAllocator.Free(void* ptr) => {{self}}.Free(ptr);
            }
            """;
        return File(spec, "public API", new string[0], new[] { "System", "System.IO", "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, body, markGenerated: true);
    }
}
