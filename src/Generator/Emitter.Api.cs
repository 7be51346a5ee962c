// The Api file: the allocator's public surface over its one heap, one method per generated member,
// in the order the file shows them. Where the threading and debug models differ, the model writes
// that part (ApiModel.*.cs); nothing here branches on them.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string Literal(string text)
        => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

    private static string EmitApi(AllocatorSpec spec, LayoutModel m, ApiModel model)
    {
        var w = new CodeWriter();
        WriteStaticHeap(w, spec, model);
        WriteAllocate(w, spec);
        WriteMemorySources(w);
        WriteMalloc(w, m, model);
        WriteCalloc(w, model);
        WriteRealloc(w, model);
        WriteFree(w, model);
        WriteContains(w);
        WriteValidate(w, model);
        WriteState(w);
        WriteGetStats(w, model);
        WriteDebugMallocStats(w);
        WriteNew(w, m, model);
        WriteDelete(w, model);
        WriteNewBuffer(w);
        WriteNewArray(w, model);
        WriteResizeArray(w, model);
        WriteCreateHeap(w, model);
        if (spec.Metrics)
        {
            WriteCreateMeter(w, spec); // only where the referenced runtime has System.Diagnostics.Metrics (net8.0)
        }
        WriteTrimArenaCache(w, model);
        WriteInfo(w, spec);
        WriteApiStruct(w, spec);
        return File(spec, "public API", new string[0], new[] { "System", "System.IO", "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, w.ToString(), markGenerated: true);
    }

    private static void WriteStaticHeap(CodeWriter w, AllocatorSpec spec, ApiModel model)
    {
        w.Lines("""
            // The heap behind the static API, created when the class is first used and never freed,
            // like CPython's global pymalloc state. It lives in unmanaged memory, and the field is
            // readonly, so once the class is initialised the JIT treats its address as a constant.
            private static readonly HeapState* s_heap = CreateStaticHeap();
            """);
        model.WriteFields(w); // declared after s_heap in the same file, so initialised after it
        w.Line();
        w.Open("private static HeapState* CreateStaticHeap()")
            .Line("HeapState* heap = PymallocCore<Layout>.CreateHeap();")
            .Open("if (heap == null)").Line($"throw new OutOfMemoryException(\"Cannot allocate the {spec.TypeName} heap.\");").Close();
        w.Line(spec.MaxArenas != 0 || spec.FailOnLimit
            ? $"PymallocCore<Layout>.SetMemoryLimit(heap, {I(spec.MaxArenas)}, failInsteadOfRaw: {(spec.FailOnLimit ? "true" : "false")}); // MaxArenas, OnMemoryLimit"
            : "// No MaxArenas: arenas are mapped for as long as the arena allocator provides them.");
        model.WriteHeapSetup(w);
        w.Line("PymallocCore<Layout>.ReleaseOwnership(heap);").Line("return heap;").Close();
    }

    private static void WriteAllocate(CodeWriter w, AllocatorSpec spec)
    {
        w.Lines("""

            /// <summary>Allocates <paramref name="size"/> bytes like <see cref="Malloc"/>, throwing instead of returning null.</summary>
            /// <exception cref="OutOfMemoryException">The size exceeds 2^63 - 1, or memory is exhausted.</exception>
            """);
        w.Open("public static void* Allocate(nuint size)")
            .Line("void* block = Malloc(size);")
            .Line($"return block != null ? block : throw new OutOfMemoryException($\"{spec.TypeName} cannot allocate {{size}} bytes.\");")
            .Close();
    }

    private static void WriteMemorySources(CodeWriter w) => w.Lines("""

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
        """);

    private static void WriteMalloc(CodeWriter w, LayoutModel m, ApiModel model)
    {
        w.Lines($$"""

            /// <summary>
            /// Allocates <paramref name="size"/> bytes, like <c>PyObject_Malloc</c>: 1..{{I(m.SmallRequestThreshold)}} bytes from
            /// the pools, 0 or more bytes from the raw allocator. The block is {{I(m.Alignment)}}-byte aligned.
            /// </summary>
            /// <returns>The block, or null if <paramref name="size"/> exceeds 2^63 - 1 or memory is exhausted.</returns>
            /// <remarks>
            /// {{model.ThreadRule}}
            /// The size class is computed
            /// ((size - 1) &gt;&gt; {{I(m.AlignmentShift)}}) and indexes <c>usedpools</c> directly, as obmalloc.c does: measured on
            /// the CPython traces, a jump to per-class code costs a mispredicted indirect branch whenever
            /// sizes vary. Inlined where <paramref name="size"/> is a constant, the JIT folds the index and
            /// this becomes the same code as the size class's <c>AllocateSizeClass</c> path, which
            /// <see cref="New{T}"/> calls directly.
            /// </remarks>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        model.WriteAllocatingCall(w, "public static void* Malloc(nuint size)", new ApiCall(
            "PymallocCore<Layout>.Malloc(s_heap, size)",
            "PymallocDebug<Layout>.Malloc(s_heap, s_debug, size, PymallocDebug<Layout>.ObjectApi)",
            "RecordMalloc(size)"));
    }

    private static void WriteCalloc(CodeWriter w, ApiModel model)
    {
        w.Lines("""

            /// <summary>Allocates zeroed memory for <paramref name="count"/> elements of <paramref name="size"/> bytes, like <c>PyObject_Calloc</c>.</summary>
            /// <returns>The block, or null if the product overflows 2^63 - 1 (it never wraps) or memory is exhausted.</returns>
            """);
        model.WriteAllocatingCall(w, "public static void* Calloc(nuint count, nuint size)", new ApiCall(
            "PymallocCore<Layout>.Calloc(s_heap, count, size)",
            "PymallocDebug<Layout>.Calloc(s_heap, s_debug, count, size, PymallocDebug<Layout>.ObjectApi)",
            "RecordCalloc(count, size)"));
    }

    private static void WriteRealloc(CodeWriter w, ApiModel model)
    {
        w.Lines($$"""

            /// <summary>
            /// Resizes a block, like <c>PyObject_Realloc</c>: null <paramref name="ptr"/> allocates; a pool block
            /// stays put while the new size fits its class and wastes less than a quarter of it, and otherwise
            /// moves (allocate, copy, then free); a raw block stays with the raw allocator.
            /// </summary>
            /// <returns>The block, or null on failure, in which case <paramref name="ptr"/> is untouched.</returns>
            /// <remarks>{{model.ReallocRule}}</remarks>
            """);
        model.WriteAllocatingCall(w, "public static void* Realloc(void* ptr, nuint size)", new ApiCall(
            "PymallocCore<Layout>.Realloc(s_heap, ptr, size)",
            "PymallocDebug<Layout>.Realloc(s_heap, s_debug, ptr, size, PymallocDebug<Layout>.ObjectApi)",
            "RecordRealloc(ptr, size)"));
    }

    private static void WriteFree(CodeWriter w, ApiModel model)
    {
        w.Lines($$"""

            /// <summary>Frees a block from this allocator, like <c>PyObject_Free</c>{{model.FreeFromWhere}}. Null is ignored;
            /// a pointer outside the allocator's arenas is passed to the raw allocator's free.</summary>
            /// <remarks>{{model.FreeRule}}</remarks>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        model.WriteFree(w, "public static void Free(void* ptr)");
    }

    private static void WriteContains(CodeWriter w) => w.Lines("""

        /// <summary>True if <paramref name="ptr"/> lies in one of this allocator's arenas. Never reads <paramref name="ptr"/>.</summary>
        public static bool Contains(void* ptr) => PymallocCore<Layout>.Contains(s_heap, ptr);
        """);

    private static void WriteValidate(CodeWriter w, ApiModel model) => WriteWholeHeapWalk(w, model, """
        /// <summary>Walks every arena, pool and list and checks pymalloc's invariants (for tests and debugging sessions).</summary>
        /// <exception cref="HeapCorruptionException">An invariant does not hold.</exception>
        """, "public static void Validate()", "Validate", returns: false);

    /// <summary>A member that walks the whole heap (the core's or the debug layer's walk), with the
    /// exception its model documents when it may refuse the walk.</summary>
    private static void WriteWholeHeapWalk(CodeWriter w, ApiModel model, string docs, string signature, string method, bool returns)
    {
        w.Line().Lines(docs);
        if (model.SnapshotRefusal is not null)
        {
            w.Line(model.SnapshotRefusal);
        }
        model.WriteSnapshot(w, signature, new ApiCall(
            $"PymallocCore<Layout>.{method}(s_heap)", $"PymallocDebug<Layout>.{method}(s_heap, s_debug)", ""), returns);
    }

    private static void WriteState(CodeWriter w) => w.Lines("""

        /// <summary>The heap behind the static API, as an opaque handle for the runtime's own tools.</summary>
        [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        public static HeapState* State => s_heap;
        """);

    private static void WriteGetStats(CodeWriter w, ApiModel model) => WriteWholeHeapWalk(w, model, """
        /// <summary>A snapshot of the allocator's statistics (walks every arena; not for hot paths).</summary>
        """, "public static MallocStats GetStats()", "GetStats", returns: true);

    private static void WriteDebugMallocStats(CodeWriter w) => w.Lines("""

        /// <summary>Writes the text CPython's <c>_PyObject_DebugMallocStats</c> prints for the same state.</summary>
        public static void WriteDebugMallocStats(TextWriter writer) => GetStats().WriteTo(writer);
        """);

    private static void WriteNew(CodeWriter w, LayoutModel m, ApiModel model)
    {
        w.Lines($$"""

            /// <summary>
            /// Allocates an uninitialised <typeparamref name="T"/>. <c>sizeof(T)</c> is a constant for each
            /// <typeparamref name="T"/>, so the JIT folds the threshold test and the size-class switch: the
            /// call compiles to that class's fast path alone, with no dispatch at run time. Types larger
            /// than {{I(m.SmallRequestThreshold)}} bytes come from the raw allocator.
            /// </summary>
            /// <returns>The object, or null if memory is exhausted. Free it with <see cref="Delete{T}"/> or <see cref="Free"/>.</returns>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        w.Open("public static T* New<T>() where T : unmanaged");
        model.WriteNewBody(w);
        w.Close();
    }

    private static void WriteDelete(CodeWriter w, ApiModel model) => w.Lines($$"""

        /// <summary>Frees an object from <see cref="New{T}"/> (the same as <see cref="Free"/>: the class is read from the pool header).</summary>
        public static void Delete<T>(T* ptr) where T : unmanaged => {{model.Delete}};
        """);

    private static void WriteNewBuffer(CodeWriter w)
    {
        w.Lines("""

            /// <summary>
            /// Allocates an uninitialised array of <paramref name="length"/> <typeparamref name="T"/> that carries its
            /// length, with bounds-checked <see cref="UnmanagedBuffer{T}.Span"/> access (<see cref="NewArray{T}"/> is the
            /// bare pointer). <see cref="UnmanagedBuffer{T}.IsNull"/> when memory is exhausted; free it with
            /// <c>Free(buffer.Pointer)</c>.
            /// </summary>
            /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
            """);
        w.Open("public static UnmanagedBuffer<T> NewBuffer<T>(int length) where T : unmanaged")
            .Line("T* block = length >= 0 ? NewArray<T>((nuint)length) : throw new ArgumentOutOfRangeException(nameof(length), length, \"A buffer's length cannot be negative.\");")
            .Line("return block == null ? default : new UnmanagedBuffer<T>(block, length);")
            .Close();
    }

    private static void WriteNewArray(CodeWriter w, ApiModel model) => w.Lines($$"""

        /// <summary>
        /// Allocates an uninitialised array of <paramref name="count"/> <typeparamref name="T"/>, like CPython's
        /// <c>PyMem_New</c>: if <c>count * sizeof(T)</c> would exceed 2^63 - 1 the result is null; it never wraps.
        /// </summary>
        public static T* NewArray<T>(nuint count) where T : unmanaged
            => count > PymallocCore<Layout>.MaxRequest / (ulong)sizeof(T) ? null : (T*){{model.TypedMalloc("count * (nuint)sizeof(T)")}};
        """);

    private static void WriteResizeArray(CodeWriter w, ApiModel model) => w.Lines($$"""

        /// <summary>
        /// Resizes an array from <see cref="NewArray{T}"/> to <paramref name="count"/> elements, like CPython's
        /// <c>PyMem_Resize</c> but without losing the array on failure: if <c>count * sizeof(T)</c> would
        /// exceed 2^63 - 1, or memory is exhausted, the result is null and <paramref name="ptr"/> is untouched.
        /// </summary>
        public static T* ResizeArray<T>(T* ptr, nuint count) where T : unmanaged
            => count > PymallocCore<Layout>.MaxRequest / (ulong)sizeof(T) ? null : (T*){{model.TypedRealloc("count * (nuint)sizeof(T)")}};
        """);

    private static void WriteCreateHeap(CodeWriter w, ApiModel model) => w.Lines($$"""

        /// <summary>
        /// Creates an independent heap with this allocator's layout: its own pools, arenas and
        /// statistics, separate from the static API's. {{model.CreateHeapRule}}
        /// </summary>
        public static {{model.CreateHeap}}
        """);

    private static void WriteCreateMeter(CodeWriter w, AllocatorSpec spec) => w.Lines($$"""

        /// <summary>
        /// Publishes the static heap's figures as <c>System.Diagnostics.Metrics</c> instruments under a
        /// meter named "{{spec.FullName}}" (visible to <c>dotnet-counters monitor --counters {{spec.FullName}}</c>).
        /// {{(spec.LiveCounters
            ? "LiveCounters = true: the fast paths count allocations and bytes, and observing reads those counters."
            : "The fast paths count nothing for it: the bytes in blocks are derived from the pools when read (any thread).")}}
        /// </summary>
        public static System.Diagnostics.Metrics.Meter CreateMeter() => PymallocMetrics.Create<Layout>("{{spec.FullName}}", s_heap);
        """);

    private static void WriteTrimArenaCache(CodeWriter w, ApiModel model)
    {
        w.Lines("""

            /// <summary>Returns the freed arenas kept for reuse to the OS now, rather than after the purge delay
            /// (the arena cache: at most 8 MiB, purged after a second); returns how many. E.g. after a level unload, before a memory report.</summary>
            """);
        model.WriteTrimArenaCache(w, "public static int TrimArenaCache()");
    }

    private static void WriteInfo(CodeWriter w, AllocatorSpec spec) => w.Lines($$"""

        /// <summary>This allocator's layout and size-class table, and access to its statistics.</summary>
        public static PymallocAllocatorInfo Info { get; } = PymallocAllocatorInfo.Create<Layout>(
            "{{spec.FullName}}", {{Literal(spec.Source)}}, "{{spec.Layout.PresetName}}", GetStats);
        """);

    private static void WriteApiStruct(CodeWriter w, AllocatorSpec spec)
    {
        string self = "global::" + spec.FullName; // never captured by a type of the same name
        w.Line();
        w.Line($"/// <summary>The static API of <see cref=\"{spec.TypeName}\"/> as an <see cref=\"IUnmanagedAllocator\"/>, for generic code.</summary>");
        w.Open("public readonly struct Api : IUnmanagedAllocator")
            .Line($"void* IUnmanagedAllocator.Malloc(nuint size) => {self}.Malloc(size);")
            .Line($"void* IUnmanagedAllocator.Calloc(nuint count, nuint size) => {self}.Calloc(count, size);")
            .Line($"void* IUnmanagedAllocator.Realloc(void* ptr, nuint size) => {self}.Realloc(ptr, size);")
            .Line($"void IUnmanagedAllocator.Free(void* ptr) => {self}.Free(ptr);")
            .Close();
    }
}
