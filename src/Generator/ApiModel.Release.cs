// The two release models of the static API, which share everything but the owner check: calls go to
// the runtime core, and, when PYMALLOC_TRACE is recording, out of line to Recording.g.cs.
//   CheckedModel: every allocating call checks that it runs on the owner's stack (inlined: a
//     subtraction and a compare); claiming an unowned heap and refusing another thread are out of
//     line in PymallocCore. A free from another thread is handed over to the owner.
//   UncheckedModel: the core's paths alone; the thread members exist, empty, so code written for
//     the checked model compiles unchanged.
namespace Pymalloc.Generator;

internal abstract class ReleaseModel : ApiModel
{
    protected ReleaseModel(AllocatorSpec spec) : base(spec)
    {
    }

    public override void WriteFields(CodeWriter w) => w.Lines($$"""

        // PYMALLOC_TRACE=<path>: the recorder of every call, or null. Readonly like s_heap, so once the
        // class is initialised the JIT folds each `s_recorder is not null` test away when it is null.
        private static readonly TraceRecorder? s_recorder = TraceRecorder.FromEnvironment(
            "{{Spec.FullName}}", s_heap, Layout.Alignment, Layout.PoolSize, Layout.ArenaSize, Layout.SmallRequestThreshold);
        """);

    /// <summary>The statement that checks the thread rule before an allocating call, or null.</summary>
    public abstract string? OwnerCheck { get; }

    /// <summary>The body of the recorded free, under the recorder's lock (Recording.g.cs).</summary>
    public abstract void WriteRecordedFree(CodeWriter w);

    public override void WriteAllocatingCall(CodeWriter w, string signature, ApiCall call)
    {
        w.Open(signature);
        WriteRecordedReturn(w, call.Record);
        if (OwnerCheck is not null)
        {
            w.Line(OwnerCheck);
        }
        w.Line($"return {call.Core};").Close();
    }

    /// <summary>The first statement of a call: while recording, the recorded call instead.</summary>
    protected static void WriteRecordedReturn(CodeWriter w, string record)
        => w.Open("if (s_recorder is not null)").Line($"return {record};").Close();

    public override void WriteNewBody(CodeWriter w)
    {
        WriteRecordedReturn(w, "(T*)RecordMalloc((nuint)sizeof(T))");
        if (OwnerCheck is not null)
        {
            w.Line(OwnerCheck).Line("return NewOnOwner<T>();");
        }
        else
        {
            w.Line("return NewOnOwner<T>(); // Threading = Unchecked: nothing to check");
        }
    }

    public override string Delete => "Free(ptr)";

    public override string TypedMalloc(string bytes) => $"Malloc({bytes})";

    public override string TypedRealloc(string bytes) => $"Realloc(ptr, {bytes})";

    public override string CreateHeap => "Heap<Layout> CreateHeap() => Heap<Layout>.Create();";

    public override string CreateHeapRule => """
        The creating thread owns it (see <see cref="Heap{TLayout}"/>);
        /// <see cref="Heap{TLayout}.Dispose"/> releases all its arenas at once (a level unload) and
        /// <see cref="Heap{TLayout}.Reset"/> empties it while keeping them (a frame allocator).
        """;

    /// <summary>
    /// Keep in sync with Heap&lt;TLayout&gt;.OwnerScope, which offers the same calls over a heap held in a
    /// field (this one's heap is a static readonly address the JIT folds); OwnerScopeParityTests fails
    /// when the two drift apart. The scope's members, the same text for both release models: its calls are the core's paths without
    /// the per-call check either way (recorded, out of line, while PYMALLOC_TRACE is recording); only
    /// closing differs. <c>NewOnOwner</c> follows it.
    /// </summary>
    protected void WriteOwnerScopeAndNewOnOwner(CodeWriter w, string closeDoc, string close)
    {
        w.Open("public readonly ref struct OwnerScope").Lines($$"""
            /// <summary><see cref="{{Name}}.Malloc"/> without the owner check.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void* Malloc(nuint size) => s_recorder is null ? PymallocCore<Layout>.Malloc(s_heap, size) : RecordMalloc(size);

            /// <summary><see cref="{{Name}}.Calloc"/> without the owner check.</summary>
            public void* Calloc(nuint count, nuint size) => s_recorder is null ? PymallocCore<Layout>.Calloc(s_heap, count, size) : RecordCalloc(count, size);

            /// <summary><see cref="{{Name}}.Realloc"/> without the owner check.</summary>
            public void* Realloc(void* ptr, nuint size) => s_recorder is null ? PymallocCore<Layout>.Realloc(s_heap, ptr, size) : RecordRealloc(ptr, size);

            /// <summary>Pymalloc's free, on the owner thread.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        w.Open("public void Free(void* ptr)")
            .Open("if (s_recorder is null)").Line("PymallocCore<Layout>.Free(s_heap, ptr);").Close()
            .Open("else").Line("RecordFree(ptr);").Close()
            .Close();
        w.Lines($$"""

            /// <summary><see cref="{{Name}}.New{T}"/> without the owner check: one size class's fast path.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public T* New<T>() where T : unmanaged => s_recorder is null ? NewOnOwner<T>() : (T*)RecordMalloc((nuint)sizeof(T));

            /// <summary>Frees an object from <see cref="New{T}"/>, on the owner thread.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Delete<T>(T* ptr) where T : unmanaged => Free(ptr);

            /// <summary>{{closeDoc}}</summary>
            public void Dispose(){{close}}
            """).Close();
        w.Lines("""

            /// <summary>New without the owner check: one size class's fast path, chosen at JIT time from sizeof(T).</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        w.Open("private static T* NewOnOwner<T>() where T : unmanaged")
            .Open("if ((nuint)sizeof(T) <= Layout.SmallRequestThreshold)")
            .Line("void* block = AllocateSmall(s_heap, (nuint)sizeof(T));")
            .Open("if (block != null)").Line("return (T*)block;").Close()
            .Close()
            .Line("return (T*)PymallocCore<Layout>.MallocRaw(s_heap, (nuint)sizeof(T));")
            .Close();
    }
}

internal sealed class CheckedModel : ReleaseModel
{
    public CheckedModel(AllocatorSpec spec) : base(spec)
    {
    }

    public override string OwnerCheck => "CheckOwner();";

    // Recorded only when freed on the owner: a block handed over is recorded by the owner's drain.
    public override void WriteRecordedFree(CodeWriter w)
        => w.Line("bool owner = PymallocCore<Layout>.OnOwnerThread(s_heap);")
            .Line("PymallocCore<Layout>.FreeFromAnyThread(s_heap, ptr);")
            .Open("if (owner || PymallocCore<Layout>.OnOwnerThread(s_heap))").Line("s_recorder.Free(ptr);").Close();

    public override void WriteHeapSetup(CodeWriter w)
        => w.Line("// Owned by no thread yet: the first thread to allocate takes it (see CheckOwner).");

    public override string ThreadRule => """
        Only the thread that owns the static heap allocates: the first thread to allocate takes it, and
        /// another thread gets an <see cref="InvalidOperationException"/> until the owner calls <see cref="ReleaseOwnership"/>
        /// (give other threads their own heaps with <see cref="CreateHeap"/>). The check is one compare.
        """;

    public override string ReallocRule => "Only the owner thread resizes: a move allocates.";

    public override string FreeRule => """
        On the owner thread this is pymalloc's free; on another thread the block is pushed on the heap's
        /// delayed-free list with one compare-and-swap, and the owner takes it back on its next allocation slow path.
        """;

    public override void WriteFree(CodeWriter w, string signature)
    {
        w.Open(signature)
            .Open("if (s_recorder is not null)").Line("RecordFree(ptr);").Close()
            .Open("else if (PymallocCore<Layout>.OnOwnerThread(s_heap))").Line("PymallocCore<Layout>.Free(s_heap, ptr);").Close()
            .Open("else").Line("PymallocCore<Layout>.FreeFromAnyThread(s_heap, ptr);").Close()
            .Close();
    }

    // A walk of the whole heap reads every pool: on the owner, or on an unowned heap, held for the walk.
    public override string SnapshotRefusal
        => "/// <exception cref=\"InvalidOperationException\">Another thread owns the heap and may be allocating: take it on the owner.</exception>";

    public override void WriteSnapshot(CodeWriter w, string signature, ApiCall call, bool returns)
    {
        w.Open(signature)
            .Line($"bool claimed = PymallocCore<Layout>.BeginSnapshot(s_heap, \"{Name}\");")
            .Open("try").Line((returns ? "return " : "") + call.Core + ";").Close()
            .Open("finally").Line("PymallocCore<Layout>.EndSnapshot(s_heap, claimed);").Close()
            .Close();
    }

    public override void WriteTrimArenaCache(CodeWriter w, string signature)
        => w.Open(signature).Line("CheckOwner();").Line("return PymallocCore<Layout>.TrimArenaCache(s_heap);").Close();

    public override void WriteThreadRule(CodeWriter w)
    {
        w.Lines("""
            /// <summary>
            /// The thread rule of the static API, checked on every allocating call: the owner passes when the
            /// caller runs on its stack (one subtraction and compare); any other thread claims the heap if nobody owns it, or gets an
            /// <see cref="InvalidOperationException"/>. No lock and no interlocked instruction on the owner's path.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            """);
        w.Open("private static void CheckOwner()")
            .Open("if (!PymallocCore<Layout>.OnOwnerThread(s_heap))").Line($"PymallocCore<Layout>.ClaimForAllocation(s_heap, \"{Name}\");").Close()
            .Close();
        w.Lines("""

            /// <summary>Gives the static heap up (call it on the owner): the next thread to allocate takes it over.</summary>
            public static void ReleaseOwnership() => PymallocCore<Layout>.ReleaseOwnership(s_heap);

            /// <summary>Makes the calling thread the static heap's owner by force; the previous owner must have
            /// stopped using it (prefer <see cref="ReleaseOwnership"/> on the old owner).</summary>
            public static void TakeOwnership() => PymallocCore<Layout>.TakeOwnership(s_heap);

            /// <summary>On the owner thread: frees now the blocks other threads handed over (otherwise that
            /// happens on the next allocation slow path that finds some), e.g. once a frame's jobs are done.</summary>
            """);
        w.Open("public static void DrainDelayedFrees()").Line("CheckOwner();").Line("PymallocCore<Layout>.DrainDelayedFrees(s_heap);").Close();
        w.Lines($$"""

            /// <summary>
            /// Checks the thread rule once — claiming the static heap if nobody owns it, throwing if another
            /// thread does — and returns a scope whose calls skip the per-call check: for hot loops on the owner
            /// thread (<c>using var heap = {{Name}}.Own();</c>). The owner cannot give the heap up while a scope is open.
            /// </summary>
            /// <exception cref="InvalidOperationException">Another thread owns the static heap.</exception>
            """);
        w.Open("public static OwnerScope Own()").Line($"PymallocCore<Layout>.OpenOwnerScope(s_heap, \"{Name}\");").Line("return default;").Close();
        w.Lines("""

            /// <summary>
            /// Proof, on the owner thread's stack, that the thread rule was checked: the static API without the
            /// per-call owner check. A ref struct cannot leave the stack of the thread that made it (no field of
            /// a class, no lambda, no await), so the check holds for the scope's life. Obtain it from <see cref="Own"/> only.
            /// </summary>
            """);
        WriteOwnerScopeAndNewOnOwner(w, "Closes the scope.", " => PymallocCore<Layout>.CloseOwnerScope(s_heap);");
    }
}

internal sealed class UncheckedModel : ReleaseModel
{
    public UncheckedModel(AllocatorSpec spec) : base(spec)
    {
    }

    public override string? OwnerCheck => null;

    public override void WriteRecordedFree(CodeWriter w)
        => w.Line("s_recorder.Free(ptr);").Line("PymallocCore<Layout>.Free(s_heap, ptr);");

    public override void WriteHeapSetup(CodeWriter w)
        => w.Line("// Owned by no thread: with Threading = Unchecked nothing checks an owner.");

    public override string ThreadRule => """
        Threading = Unchecked: one thread at a time (CPython's contract under the GIL), and nothing is checked;
        /// calls from two threads at once corrupt the heap. Debug mode reports them.
        """;

    public override string FreeFromWhere => "";

    public override string FreeRule => "Threading = Unchecked: pymalloc's free, with no owner check; one thread at a time.";

    public override void WriteFree(CodeWriter w, string signature)
    {
        w.Open(signature)
            .Open("if (s_recorder is not null)").Line("RecordFree(ptr);").Line("return;").Close()
            .Line("PymallocCore<Layout>.Free(s_heap, ptr);")
            .Close();
    }

    // Unchecked: a walk runs wherever the program says it is safe.
    public override void WriteSnapshot(CodeWriter w, string signature, ApiCall call, bool returns)
        => w.Line($"{signature} => {call.Core};");

    public override void WriteTrimArenaCache(CodeWriter w, string signature)
        => w.Line($"{signature} => PymallocCore<Layout>.TrimArenaCache(s_heap);");

    public override void WriteThreadRule(CodeWriter w)
    {
        w.Lines("""
            // Threading = Unchecked: no call checks the owner, so there is no owner to give up or take, and
            // no free is ever handed over. These members keep code written for the checked model compiling.

            /// <summary>Nothing to give up: with Threading = Unchecked the static heap has no owner.</summary>
            public static void ReleaseOwnership() { }

            /// <summary>Nothing to take: with Threading = Unchecked the static heap has no owner.</summary>
            public static void TakeOwnership() { }

            /// <summary>Nothing to drain: with Threading = Unchecked every free is done at once.</summary>
            public static void DrainDelayedFrees() { }

            /// <summary>A scope over the static API. With Threading = Unchecked there is nothing to check once:
            /// every call is already the unchecked path, so the scope is the same API.</summary>
            public static OwnerScope Own() => default;

            /// <summary>The static API as a scope value, for code written against <see cref="Own"/>: with
            /// Threading = Unchecked, the same calls.</summary>
            """);
        WriteOwnerScopeAndNewOnOwner(w, "Closes the scope (nothing to close with Threading = Unchecked).", " { }");
    }
}
