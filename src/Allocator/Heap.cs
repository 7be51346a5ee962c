// A heap instance: its own pools, arenas and statistics behind a handle that cannot outlive them
// (a disposed heap's calls throw). The size class is computed from the byte count, as in the
// generated Malloc; New<T> folds it to one class at JIT time. Generated allocators create these
// with CreateHeap(); the tool and layouts without a generated allocator use it directly.
using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>
/// An independent pymalloc heap with layout <typeparamref name="TLayout"/>: its own pools, arenas
/// and statistics. A handle: copies refer to the same heap; once any copy disposes it, every copy's
/// calls throw <see cref="ObjectDisposedException"/> (never a crash), and disposing again does nothing.
/// Owned by the thread that created it (see <see cref="TakeOwnership"/>): only the owner allocates
/// (another thread gets an <see cref="InvalidOperationException"/>); any thread may free, and a free
/// from another thread is handed to the owner without a lock. Checking costs one compare per call.
/// With a layout whose threading model is <see cref="PymallocThreading.Unchecked"/> nothing is checked
/// (the check folds away): one thread at a time, as CPython under the GIL.
/// </summary>
public readonly unsafe struct Heap<TLayout> : IDisposable where TLayout : struct, IPymallocLayout
{
    private readonly HeapState* _state;
    private readonly ulong _generation;

    private Heap(HeapState* state)
        : this(state, state->Generation)
    {
    }

    private Heap(HeapState* state, ulong generation)
    {
        _state = state;
        _generation = generation;
    }

    /// <summary>Creates an empty heap. Throws <see cref="OutOfMemoryException"/> if its bookkeeping cannot be allocated.</summary>
    public static Heap<TLayout> Create()
    {
        HeapState* state = NewState();
        // PYMALLOC_TRACE: a recorded heap's handles carry the Recording bit in their generation, so
        // their calls fail the live-heap compare every call makes anyway and take the out-of-line
        // path that records. Heaps not recorded pay nothing.
        return TraceRecorder.FromEnvironment($"Heap<{typeof(TLayout).FullName}>#{Interlocked.Increment(ref s_created)}", state,
                1 << default(TLayout).AlignmentShift, 1 << default(TLayout).PoolSizeShift, 1 << default(TLayout).ArenaBits,
                (int)default(TLayout).SmallRequestThreshold) is null
            ? new Heap<TLayout>(state)
            : new Heap<TLayout>(state, state->Generation | Recording);
    }

    /// <summary>A heap whose calls <paramref name="recorder"/> records (RecordingHeap), through the same
    /// out-of-line path as a heap PYMALLOC_TRACE records.</summary>
    internal static Heap<TLayout> CreateRecorded(TraceRecorder recorder)
    {
        HeapState* state = NewState();
        state->Recorder = GCHandle.ToIntPtr(GCHandle.Alloc(recorder));
        return new Heap<TLayout>(state, state->Generation | Recording);
    }

    private static HeapState* NewState()
    {
        HeapState* state = PymallocCore<TLayout>.CreateHeap();
        return state != null ? state : throw new OutOfMemoryException("Cannot allocate a pymalloc heap.");
    }

    private const ulong Recording = 1UL << 63;

    private static int s_created;

    /// <summary>The heap's state (for generated code and diagnostics).</summary>
    /// <exception cref="ObjectDisposedException">The heap was disposed (through this or any copy of the handle).</exception>
    internal HeapState* State => Live;

    /// <summary>True for a handle from <see cref="Create"/> whose heap is not disposed; false for a
    /// default handle and for every copy of a disposed one.</summary>
    public bool IsCreated => _state != null && _state->Generation == (_generation & ~Recording);

    /// <summary>Allocates <paramref name="size"/> bytes; null if impossible (e.g. above 2^63 - 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Malloc(nuint size)
    {
        HeapState* state = _state;
        if (state == null || state->Generation != _generation)
        {
            return Recorded(0, null, 0, size); // recorded, or dead (throws)
        }
        return PymallocCore<TLayout>.Malloc(OwnerChecked(state), size);
    }

    /// <summary>
    /// The heap, if this handle still refers to it. A handle is a copyable struct: the heap's block
    /// outlives its disposal (it is kept for reuse, see <see cref="PymallocCore{TLayout}.DestroyHeap"/>),
    /// and its generation tells whether this copy's heap is the one there now — one load and one
    /// compare, on the same cache line as the owner check.
    /// </summary>
    private HeapState* Live
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            HeapState* state = _state;
            if (state == null || state->Generation != _generation)
            {
                return LiveSlow(out _);
            }
            return state;
        }
    }

    /// <summary>The heap of a recorded handle (with its recorder), or the error for a dead one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeapState* LiveSlow(out TraceRecorder? recorder)
    {
        HeapState* state = _state;
        if (state != null && (_generation & Recording) != 0 && state->Generation == (_generation & ~Recording))
        {
            recorder = state->Recorder != 0 ? TraceRecorder.Of(state->Recorder) : null;
            return state;
        }
        ThrowDead();
        recorder = null;
        return null;
    }

    /// <summary>A call on a heap PYMALLOC_TRACE records (or on a dead handle, which throws): made under
    /// the recorder's lock and written down. <paramref name="op"/>: 0 malloc, 1 calloc, 2 realloc, 3 free.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void* Recorded(int op, void* ptr, nuint count, nuint size)
    {
        HeapState* state = LiveSlow(out TraceRecorder? recorder);
        if (recorder is null)
        {
            // The recording was stopped (RecordingHeap.StopRecording): the heap works on, unrecorded.
            switch (op)
            {
                case 0: return PymallocCore<TLayout>.Malloc(OwnerChecked(state), size);
                case 1: return PymallocCore<TLayout>.Calloc(OwnerChecked(state), count, size);
                case 2: return PymallocCore<TLayout>.Realloc(OwnerChecked(state), ptr, size);
                default:
                    FreeAsPlain(state, ptr);
                    return null;
            }
        }
        lock (recorder.Gate)
        {
            void* block;
            switch (op)
            {
                case 0:
                    block = PymallocCore<TLayout>.Malloc(OwnerChecked(state), size);
                    recorder.Malloc(block, size, PymallocCore<TLayout>.Contains(state, block));
                    return block;
                case 1:
                    block = PymallocCore<TLayout>.Calloc(OwnerChecked(state), count, size);
                    recorder.Calloc(block, count, size, PymallocCore<TLayout>.Contains(state, block));
                    return block;
                case 2:
                    block = PymallocCore<TLayout>.Realloc(OwnerChecked(state), ptr, size);
                    recorder.Realloc(ptr, block, size, PymallocCore<TLayout>.Contains(state, block));
                    return block;
                default:
                    bool direct = !default(TLayout).ChecksOwner || PymallocCore<TLayout>.OnOwnerThread(state);
                    FreeAsPlain(state, ptr);
                    if (direct || PymallocCore<TLayout>.OnOwnerThread(state))
                    {
                        recorder.Free(ptr); // done now; a free handed over is recorded by the owner's drain
                    }
                    return null;
            }
        }
    }

    /// <summary>What <see cref="Free"/> does on a live handle: pymalloc's free on the owner (or with no
    /// owner check), the hand-over elsewhere.</summary>
    private static void FreeAsPlain(HeapState* state, void* ptr)
    {
        if (!default(TLayout).ChecksOwner || PymallocCore<TLayout>.OnOwnerThread(state))
        {
            PymallocCore<TLayout>.Free(state, ptr);
        }
        else
        {
            PymallocCore<TLayout>.FreeFromAnyThread(state, ptr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HeapState* OwnerChecked(HeapState* state)
    {
        if (default(TLayout).ChecksOwner && !PymallocCore<TLayout>.OnOwnerThread(state))
        {
            PymallocCore<TLayout>.ClaimForAllocation(state, Name);
        }
        return state;
    }

    /// <summary>True when the handle is live and not recorded: the one compare every call makes.</summary>
    private bool Plain
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _state != null && _state->Generation == _generation;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDead()
    {
        if (_state == null)
        {
            throw new InvalidOperationException($"This Heap<{typeof(TLayout).Name}> is a default handle, not a heap: create one with Heap.Create() or the allocator's CreateHeap().");
        }
        throw new ObjectDisposedException($"Heap<{typeof(TLayout).Name}>", "The heap was disposed (through this handle or a copy of it): its arenas and blocks were returned.");
    }

    /// <summary>Lets the owner through with one compare; claims an unowned heap or throws elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private HeapState* CheckOwner()
    {
        HeapState* state = Live;
        if (default(TLayout).ChecksOwner && !PymallocCore<TLayout>.OnOwnerThread(state))
        {
            PymallocCore<TLayout>.ClaimForAllocation(state, Name);
        }
        return state;
    }

    private const string Name = "This pymalloc heap";

    /// <summary>Allocates an uninitialised <typeparamref name="T"/>. Inlined, <c>sizeof(T)</c> folds the size
    /// class to a constant, so this is the class's fast path with no dispatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* New<T>() where T : unmanaged => (T*)Malloc((nuint)sizeof(T));

    /// <summary>Frees an object from <see cref="New{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Delete<T>(T* ptr) where T : unmanaged => Free(ptr);

    /// <summary>An uninitialised array that knows its length, with bounds-checked <see cref="UnmanagedBuffer{T}.Span"/>
    /// access; <see cref="UnmanagedBuffer{T}.IsNull"/> when memory is exhausted. Free it with <c>Free(buffer.Pointer)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public UnmanagedBuffer<T> NewBuffer<T>(int length) where T : unmanaged
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer's length cannot be negative.");
        }
        var block = (T*)Malloc((nuint)length * (nuint)sizeof(T));
        return block == null ? default : new UnmanagedBuffer<T>(block, length);
    }

    /// <summary>An uninitialised array; null if <c>count * sizeof(T)</c> would exceed 2^63 - 1 (never wraps).</summary>
    public T* NewArray<T>(nuint count) where T : unmanaged
        => count > PymallocCore<TLayout>.MaxRequest / (ulong)sizeof(T) ? null : (T*)Malloc(count * (nuint)sizeof(T));

    /// <summary>Resizes an array; null on overflow or failure, leaving <paramref name="ptr"/> valid.</summary>
    public T* ResizeArray<T>(T* ptr, nuint count) where T : unmanaged
        => count > PymallocCore<TLayout>.MaxRequest / (ulong)sizeof(T) ? null : (T*)Realloc(ptr, count * (nuint)sizeof(T));

    /// <summary>
    /// Frees every pool block at once while keeping the arenas mapped: a frame or scene allocator's
    /// "free everything". Pointers to the heap's pool blocks become invalid; raw blocks (0 bytes or
    /// above the threshold) are not affected and must still be freed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public void Reset()
    {
        HeapState* state = CheckOwner();
        if (state->OpenOwnerScopes != 0)
        {
            throw new InvalidOperationException("Cannot reset the heap while an owner scope from Own() is open: its blocks would be freed under it.");
        }
        PymallocCore<TLayout>.ResetHeap(state);
    }

    /// <summary>Allocates <paramref name="size"/> bytes, throwing instead of returning null.</summary>
    /// <exception cref="OutOfMemoryException">The request is impossible or memory is exhausted.</exception>
    public void* Allocate(nuint size)
    {
        void* p = Malloc(size);
        return p != null ? p : throw new OutOfMemoryException($"Cannot allocate {size} bytes.");
    }

    /// <summary>Replaces the raw allocator; only before the heap is first used.</summary>
    public void SetRawAllocator(in RawAllocator allocator) => PymallocCore<TLayout>.SetRawAllocator(CheckOwner(), allocator);

    /// <summary>Replaces the arena allocator; only before the heap maps its first arena.</summary>
    public void SetArenaAllocator(in ArenaAllocator allocator) => PymallocCore<TLayout>.SetArenaAllocator(CheckOwner(), allocator);

    /// <summary>Limits the heap to <paramref name="maxArenas"/> arenas (0: no limit); see <see cref="MemoryLimitBehavior"/>.</summary>
    public void SetMemoryLimit(int maxArenas, MemoryLimitBehavior behavior)
    {
        if (maxArenas < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxArenas), maxArenas, "The arena limit cannot be negative.");
        }
        PymallocCore<TLayout>.SetMemoryLimit(CheckOwner(), (nuint)maxArenas, behavior == MemoryLimitBehavior.Fail);
    }

    /// <summary>Allocates zeroed memory for <paramref name="count"/> elements of <paramref name="size"/> bytes; null if the product overflows.</summary>
    public void* Calloc(nuint count, nuint size)
    {
        HeapState* state = _state;
        return state == null || state->Generation != _generation
            ? Recorded(1, null, count, size) // recorded, or dead (throws)
            : PymallocCore<TLayout>.Calloc(OwnerChecked(state), count, size);
    }

    /// <summary>Resizes a block with CPython's rules; null on failure, leaving <paramref name="ptr"/> valid.</summary>
    public void* Realloc(void* ptr, nuint size) // a move allocates: owner only
    {
        HeapState* state = _state;
        return state == null || state->Generation != _generation
            ? Recorded(2, ptr, 0, size) // recorded, or dead (throws)
            : PymallocCore<TLayout>.Realloc(OwnerChecked(state), ptr, size);
    }

    /// <summary>Frees a block of this heap, or a raw block it handed out, from any thread; null is ignored.
    /// On the owner it is pymalloc's free; elsewhere the block is handed to the owner with one
    /// compare-and-swap and reused once the owner drains (on its allocation slow path, or
    /// <see cref="DrainDelayedFrees"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* ptr)
    {
        HeapState* state = _state;
        if (state == null || state->Generation != _generation)
        {
            Recorded(3, ptr, 0, 0); // recorded, or dead (throws)
            return;
        }
        if (!default(TLayout).ChecksOwner || PymallocCore<TLayout>.OnOwnerThread(state))
        {
            PymallocCore<TLayout>.Free(state, ptr);
        }
        else
        {
            PymallocCore<TLayout>.FreeFromAnyThread(state, ptr);
        }
    }

    /// <summary>On the owner thread: frees the blocks other threads handed over.</summary>
    public void DrainDelayedFrees() => PymallocCore<TLayout>.DrainDelayedFrees(CheckOwner());

    /// <summary>Gives the heap up (call it on the owner): the next thread to allocate from it, or free to it,
    /// becomes its owner. This is how a heap moves between threads without the two synchronising.</summary>
    public void ReleaseOwnership() => PymallocCore<TLayout>.ReleaseOwnership(Live);

    /// <summary>Makes the calling thread the heap's owner (the only thread that allocates from it), by force:
    /// the previous owner must have stopped using the heap (e.g. it exited, or a job fence orders the two).
    /// Prefer <see cref="ReleaseOwnership"/> on the old owner.</summary>
    public void TakeOwnership() => PymallocCore<TLayout>.TakeOwnership(Live);

    /// <summary>True if <paramref name="ptr"/> lies in one of this heap's arenas (a pymalloc block).</summary>
    public bool Contains(void* ptr) => PymallocCore<TLayout>.Contains(Live, ptr);

    /// <summary>Walks every arena, pool and list and checks pymalloc's invariants (for tests and debugging).</summary>
    /// <exception cref="HeapCorruptionException">An invariant does not hold.</exception>
    public void Validate()
    {
        HeapState* state = Live;
        bool claimed = PymallocCore<TLayout>.BeginSnapshot(state, Name);
        try
        {
            PymallocCore<TLayout>.Validate(state);
        }
        finally
        {
            PymallocCore<TLayout>.EndSnapshot(state, claimed);
        }
    }

    /// <summary>A snapshot of the heap's statistics.</summary>
    public MallocStats GetStats()
    {
        HeapState* state = Live;
        bool claimed = PymallocCore<TLayout>.BeginSnapshot(state, Name);
        try
        {
            return PymallocCore<TLayout>.GetStats(state);
        }
        finally
        {
            PymallocCore<TLayout>.EndSnapshot(state, claimed);
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>Publishes this heap's live counters under a meter named <paramref name="name"/> (see <see cref="PymallocMetrics"/>).</summary>
    /// <remarks>net8.0 and later only: netstandard2.1 has no System.Diagnostics.Metrics.</remarks>
    public System.Diagnostics.Metrics.Meter CreateMeter(string name) => PymallocMetrics.Create<TLayout>(name, Live);
#endif

    /// <summary>Returns the freed arenas kept for reuse to the OS now rather than after the purge delay
    /// (see <see cref="ArenaCache"/>); returns how many. On the owner thread.</summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public int TrimArenaCache() => PymallocCore<TLayout>.TrimArenaCache(CheckOwner());

    /// <summary>Writes CPython's <c>_PyObject_DebugMallocStats</c> text for this heap.</summary>
    public void WriteDebugMallocStats(TextWriter writer) => GetStats().WriteTo(writer);

    /// <summary>
    /// Checks the thread rule once and returns a scope whose calls skip the per-call check — for hot
    /// loops on the owner thread. The scope is a ref struct, so it cannot leave this thread's stack;
    /// dispose it (<c>using var owned = heap.Own();</c>) before giving the heap up.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public OwnerScope Own()
    {
        HeapState* state = Live;
        if (default(TLayout).ChecksOwner)
        {
            PymallocCore<TLayout>.OpenOwnerScope(state, Name);
        }
        return new OwnerScope(state, Plain ? default : this);
    }

    // Keep in sync with the generated static API's OwnerScope (ApiModel.Release.cs), which offers the
    // same calls over a static readonly heap whose address the JIT folds; OwnerScopeParityTests fails
    // when the two drift apart.
    /// <summary>
    /// Proof, on the owner thread's stack, that the thread rule was checked: the heap's calls without
    /// the per-call owner check. Obtain it from <see cref="Own"/> only.
    /// </summary>
    public readonly ref struct OwnerScope
    {
        private readonly HeapState* _state;

        // The heap's handle when PYMALLOC_TRACE records it (its calls go through the handle, which
        // records them), default otherwise. A scope lives in registers in the loop it serves, so
        // the test is of a register; it is the one cost recording adds to anything not recorded.
        private readonly Heap<TLayout> _recorded;

        internal OwnerScope(HeapState* state, Heap<TLayout> recorded)
        {
            _state = state;
            _recorded = recorded;
        }

        /// <summary><see cref="Heap{TLayout}.Malloc"/> without the owner check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void* Malloc(nuint size) => _recorded._state == null ? PymallocCore<TLayout>.Malloc(_state, size) : _recorded.Malloc(size);

        /// <summary><see cref="Heap{TLayout}.Calloc"/> without the owner check.</summary>
        public void* Calloc(nuint count, nuint size) => _recorded._state == null ? PymallocCore<TLayout>.Calloc(_state, count, size) : _recorded.Calloc(count, size);

        /// <summary><see cref="Heap{TLayout}.Realloc"/> without the owner check.</summary>
        public void* Realloc(void* ptr, nuint size) => _recorded._state == null ? PymallocCore<TLayout>.Realloc(_state, ptr, size) : _recorded.Realloc(ptr, size);

        /// <summary>Pymalloc's free, on the owner thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Free(void* ptr)
        {
            if (_recorded._state == null)
            {
                PymallocCore<TLayout>.Free(_state, ptr);
            }
            else
            {
                _recorded.Free(ptr);
            }
        }

        /// <summary><see cref="Heap{TLayout}.New{T}"/> without the owner check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T* New<T>() where T : unmanaged => (T*)Malloc((nuint)sizeof(T));

        /// <summary>Frees an object from <see cref="New{T}"/>, on the owner thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Delete<T>(T* ptr) where T : unmanaged => Free(ptr);

        /// <summary>Closes the scope.</summary>
        public void Dispose() => PymallocCore<TLayout>.CloseOwnerScope(_state);
    }

    /// <summary>
    /// Returns every arena and every raw block at once (a level unload); every block of the heap becomes
    /// invalid. Idempotent: disposing again, through this handle or any copy, does nothing, and every
    /// other call through any copy throws <see cref="ObjectDisposedException"/>. A default handle's
    /// Dispose does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap (it may be allocating:
    /// have it call <see cref="ReleaseOwnership"/> first, then any thread may dispose), or an owner scope
    /// is open.</exception>
    public void Dispose()
    {
        if (_state != null)
        {
            PymallocCore<TLayout>.DisposeHeap(_state, _generation & ~Recording, Name);
        }
    }
}
