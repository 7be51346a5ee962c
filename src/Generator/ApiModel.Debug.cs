// The debug model of the static API (Debug = true, CPython's PYMALLOC_DEBUG): every call goes through
// PymallocDebug, which puts guard bytes, fills, an API id and a serial number around each block and
// holds the allocator's lock, so any thread may call, one at a time. The thread members exist and
// check nothing, so code written for the release allocator compiles unchanged. Not recorded: a
// recording describes the release allocator's decisions, which debug headers change.
namespace Pymalloc.Generator;

internal sealed class DebugModel : ApiModel
{
    public DebugModel(AllocatorSpec spec) : base(spec)
    {
    }

    private const string ObjectApi = "PymallocDebug<Layout>.ObjectApi";
    private const string TypedApi = "PymallocDebug<Layout>.TypedApi";

    public override void WriteFields(CodeWriter w) => w.Lines($$"""

        // Debug mode (PYMALLOC_DEBUG): guard bytes, fills, API ids and serial numbers around every block.
        private static readonly DebugState s_debug = new("{{Spec.FullName}}");

        /// <summary>Checks every block's guard bytes, every freed block's fill, and the heap's invariants.</summary>
        /// <exception cref="HeapCorruptionException">Something was overwritten.</exception>
        public static void CheckHeap() => PymallocDebug<Layout>.CheckHeap(s_heap, s_debug);
        """);

    public override void WriteHeapSetup(CodeWriter w)
        => w.Line("PymallocDebug<Layout>.Attach(heap); // its blocks carry debug headers")
            .Line("// Owned by no thread: the debug layer's lock orders the calls, from any thread.");

    public override string ThreadRule => Spec.UncheckedThreads
        ? "Threading = Unchecked: one thread at a time. Debug mode reports a call that overlaps another thread's."
        : "Any thread may call it: debug mode serialises calls with a lock.";

    public override string FreeRule => ThreadRule;

    public override void WriteAllocatingCall(CodeWriter w, string signature, ApiCall call)
        => w.Line($"{signature} => {call.Debug};");

    public override void WriteFree(CodeWriter w, string signature)
        => w.Line($"{signature} => PymallocDebug<Layout>.Free(s_heap, s_debug, ptr, {ObjectApi});");

    public override void WriteSnapshot(CodeWriter w, string signature, ApiCall call, bool returns)
        => w.Line($"{signature} => {call.Debug};");

    public override void WriteNewBody(CodeWriter w)
        => w.Line($"return (T*)PymallocDebug<Layout>.Malloc(s_heap, s_debug, (nuint)sizeof(T), {TypedApi});");

    public override string Delete => $"PymallocDebug<Layout>.Free(s_heap, s_debug, ptr, {TypedApi})";

    public override string TypedMalloc(string bytes) => $"PymallocDebug<Layout>.Malloc(s_heap, s_debug, {bytes}, {TypedApi})";

    public override string TypedRealloc(string bytes) => $"PymallocDebug<Layout>.Realloc(s_heap, s_debug, ptr, {bytes}, {TypedApi})";

    public override string CreateHeap => $"DebugHeap<Layout> CreateHeap() => DebugHeap<Layout>.Create(\"{Spec.FullName} heap\");";

    public override string CreateHeapRule => """
        A debug heap (see <see cref="DebugHeap{TLayout}"/>): any thread may use it, one call
        /// at a time under its lock, and <see cref="DebugHeap{TLayout}.Dispose"/> releases all its arenas at once.
        """;

    public override void WriteTrimArenaCache(CodeWriter w, string signature)
        => w.Line($"{signature} => PymallocDebug<Layout>.TrimArenaCache(s_heap, s_debug);");

    public override void WriteThreadRule(CodeWriter w) => w.Lines($$"""
        /// <summary>Nothing to give up in debug mode, where any thread may call (one at a time, by a lock);
        /// kept so that code written for the non-debug allocator compiles unchanged.</summary>
        public static void ReleaseOwnership() { }

        /// <summary>Nothing to take in debug mode, where any thread may call (one at a time, by a lock);
        /// kept so that code written for the non-debug allocator compiles unchanged.</summary>
        public static void TakeOwnership() { }

        /// <summary>Nothing to drain in debug mode: every free is done at once, under the lock.</summary>
        public static void DrainDelayedFrees() { }

        /// <summary>
        /// The static API as a scope value, for code written against <see cref="Own"/>. In debug mode every
        /// call already takes the debug layer's lock, so the scope adds nothing and checks nothing.
        /// </summary>
        public readonly ref struct OwnerScope
        {
            /// <summary>The same as <see cref="{{Name}}.Malloc"/>.</summary>
            public void* Malloc(nuint size) => {{Self}}.Malloc(size);

            /// <summary>The same as <see cref="{{Name}}.Calloc"/>.</summary>
            public void* Calloc(nuint count, nuint size) => {{Self}}.Calloc(count, size);

            /// <summary>The same as <see cref="{{Name}}.Realloc"/>.</summary>
            public void* Realloc(void* ptr, nuint size) => {{Self}}.Realloc(ptr, size);

            /// <summary>The same as <see cref="{{Name}}.Free"/>.</summary>
            public void Free(void* ptr) => {{Self}}.Free(ptr);

            /// <summary>The same as <see cref="{{Name}}.New{T}"/>.</summary>
            public T* New<T>() where T : unmanaged => {{Self}}.New<T>();

            /// <summary>The same as <see cref="{{Name}}.Delete{T}"/>.</summary>
            public void Delete<T>(T* ptr) where T : unmanaged => {{Self}}.Delete(ptr);

            /// <summary>Nothing to close in debug mode.</summary>
            public void Dispose() { }
        }

        /// <summary>A scope over the static API; in debug mode it checks nothing (see <see cref="OwnerScope"/>).</summary>
        public static OwnerScope Own() => default;
        """);
}
