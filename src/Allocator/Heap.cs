// A heap instance driven by the runtime alone: the size class is computed from the byte count on
// every call (PymallocCore's generic path). Generated allocators use unrolled per-class code
// instead; this type is what tests, tools and layouts without a generated allocator use.
using System;
using System.IO;
using System.Runtime.CompilerServices;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>
/// An independent pymalloc heap with layout <typeparamref name="TLayout"/>: its own pools, arenas
/// and statistics. A handle: copies refer to the same heap; dispose exactly one of them.
/// Owned by the thread that created it (see <see cref="TakeOwnership"/>): only the owner allocates
/// (another thread gets an <see cref="InvalidOperationException"/>); any thread may free, and a free
/// from another thread is handed to the owner without a lock. Checking costs one compare per call.
/// With a layout whose threading model is <see cref="PymallocThreading.Unchecked"/> nothing is checked
/// (the check folds away): one thread at a time, as CPython under the GIL.
/// </summary>
public readonly unsafe struct Heap<TLayout> : IDisposable where TLayout : struct, IPymallocLayout
{
    private readonly HeapState* _state;

    private Heap(HeapState* state) => _state = state;

    /// <summary>Creates an empty heap. Throws <see cref="OutOfMemoryException"/> if its bookkeeping cannot be allocated.</summary>
    public static Heap<TLayout> Create()
    {
        HeapState* state = PymallocCore<TLayout>.CreateHeap();
        return state != null ? new Heap<TLayout>(state) : throw new OutOfMemoryException("Cannot allocate a pymalloc heap.");
    }

    /// <summary>The heap's state (for generated code and diagnostics).</summary>
    public HeapState* State => _state;

    /// <summary>False for a default-constructed handle.</summary>
    public bool IsCreated => _state != null;

    /// <summary>Allocates <paramref name="size"/> bytes; null if impossible (e.g. above 2^63 - 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Malloc(nuint size)
    {
        CheckOwner();
        return PymallocCore<TLayout>.Malloc(_state, size);
    }

    /// <summary>Lets the owner through with one compare; claims an unowned heap or throws elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckOwner()
    {
        if (TLayout.ChecksOwner && !PymallocCore<TLayout>.IsOwner(_state))
        {
            PymallocCore<TLayout>.ClaimForAllocation(_state, Name);
        }
    }

    private const string Name = "This pymalloc heap";

    /// <summary>Allocates an uninitialised <typeparamref name="T"/>. Inlined, <c>sizeof(T)</c> folds the size
    /// class to a constant, so this is the class's fast path with no dispatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* New<T>() where T : unmanaged => (T*)Malloc((nuint)sizeof(T));

    /// <summary>Frees an object from <see cref="New{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Delete<T>(T* ptr) where T : unmanaged => Free(ptr);

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
        CheckOwner();
        PymallocCore<TLayout>.ResetHeap(_state);
    }

    /// <summary>Allocates <paramref name="size"/> bytes, throwing instead of returning null.</summary>
    /// <exception cref="OutOfMemoryException">The request is impossible or memory is exhausted.</exception>
    public void* Allocate(nuint size)
    {
        void* p = Malloc(size);
        return p != null ? p : throw new OutOfMemoryException($"Cannot allocate {size} bytes.");
    }

    /// <summary>Replaces the raw allocator; only before the heap is first used.</summary>
    public void SetRawAllocator(in RawAllocator allocator) => PymallocCore<TLayout>.SetRawAllocator(_state, allocator);

    /// <summary>Replaces the arena allocator; only before the heap maps its first arena.</summary>
    public void SetArenaAllocator(in ArenaAllocator allocator) => PymallocCore<TLayout>.SetArenaAllocator(_state, allocator);

    /// <summary>Limits the heap to <paramref name="maxArenas"/> arenas (0: no limit); see <see cref="MemoryLimitBehavior"/>.</summary>
    public void SetMemoryLimit(int maxArenas, MemoryLimitBehavior behavior)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxArenas);
        PymallocCore<TLayout>.SetMemoryLimit(_state, (nuint)maxArenas, behavior == MemoryLimitBehavior.Fail);
    }

    /// <summary>Allocates zeroed memory for <paramref name="count"/> elements of <paramref name="size"/> bytes; null if the product overflows.</summary>
    public void* Calloc(nuint count, nuint size)
    {
        CheckOwner();
        return PymallocCore<TLayout>.Calloc(_state, count, size);
    }

    /// <summary>Resizes a block with CPython's rules; null on failure, leaving <paramref name="ptr"/> valid.</summary>
    public void* Realloc(void* ptr, nuint size)
    {
        CheckOwner(); // realloc may allocate, so only the owner resizes
        return PymallocCore<TLayout>.Realloc(_state, ptr, size);
    }

    /// <summary>Frees a block of this heap, or a raw block it handed out, from any thread; null is ignored.
    /// On the owner it is pymalloc's free; elsewhere the block is handed to the owner with one
    /// compare-and-swap and reused once the owner drains (on its allocation slow path, or
    /// <see cref="DrainDelayedFrees"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* ptr)
    {
        if (!TLayout.ChecksOwner || PymallocCore<TLayout>.IsOwner(_state))
        {
            PymallocCore<TLayout>.Free(_state, ptr);
        }
        else
        {
            PymallocCore<TLayout>.FreeFromAnyThread(_state, ptr);
        }
    }

    /// <summary>The same as <see cref="Free"/>, which is safe from any thread; kept for code that says so.</summary>
    public void FreeFromAnyThread(void* ptr) => PymallocCore<TLayout>.FreeFromAnyThread(_state, ptr);

    /// <summary>On the owner thread: frees the blocks other threads handed over.</summary>
    public void DrainDelayedFrees()
    {
        CheckOwner();
        PymallocCore<TLayout>.DrainDelayedFrees(_state);
    }

    /// <summary>Gives the heap up (call it on the owner): the next thread to allocate from it, or free to it,
    /// becomes its owner. This is how a heap moves between threads without the two synchronising.</summary>
    public void ReleaseOwnership() => PymallocCore<TLayout>.ReleaseOwnership(_state);

    /// <summary>Makes the calling thread the heap's owner (the only thread that allocates from it), by force:
    /// the previous owner must have stopped using the heap (e.g. it exited, or a job fence orders the two).
    /// Prefer <see cref="ReleaseOwnership"/> on the old owner.</summary>
    public void TakeOwnership() => PymallocCore<TLayout>.TakeOwnership(_state);

    /// <summary>True if <paramref name="ptr"/> lies in one of this heap's arenas (a pymalloc block).</summary>
    public bool IsOwned(void* ptr) => PymallocCore<TLayout>.IsOwned(_state, ptr);

    /// <summary>Walks every arena, pool and list and checks pymalloc's invariants (for tests and debugging).</summary>
    /// <exception cref="HeapCorruptionException">An invariant does not hold.</exception>
    public void Validate() => PymallocCore<TLayout>.Validate(_state);

    /// <summary>A snapshot of the heap's statistics.</summary>
    public MallocStats GetStats() => PymallocCore<TLayout>.GetStats(_state);

    /// <summary>Publishes this heap's live counters under a meter named <paramref name="name"/> (see <see cref="PymallocMetrics"/>).</summary>
    public System.Diagnostics.Metrics.Meter CreateMeter(string name) => PymallocMetrics.Create<TLayout>(name, _state);

    /// <summary>Returns the freed arenas kept for reuse to the OS now rather than after the purge delay
    /// (see <see cref="ArenaCache"/>); returns how many. On the owner thread.</summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public int TrimArenaCache()
    {
        CheckOwner();
        return PymallocCore<TLayout>.TrimArenaCache(_state);
    }

    /// <summary>Writes CPython's <c>_PyObject_DebugMallocStats</c> text for this heap.</summary>
    public void WriteDebugMallocStats(TextWriter writer) => GetStats().WriteTo(writer);

    /// <summary>
    /// Checks the thread rule once and returns a scope whose calls skip the per-call check — for hot
    /// loops on the owner thread. The scope is a ref struct, so it cannot leave this thread's stack;
    /// dispose it (<c>using var owned = heap.Own();</c>) before giving the heap up.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public Owned Own()
    {
        PymallocCore<TLayout>.OpenOwnedScope(_state, Name);
        return new Owned(_state);
    }

    /// <summary>
    /// Proof, on the owner thread's stack, that the thread rule was checked: the heap's calls without
    /// the per-call owner check. Obtain it from <see cref="Own"/> only.
    /// </summary>
    public readonly ref struct Owned
    {
        private readonly HeapState* _state;

        internal Owned(HeapState* state) => _state = state;

        /// <summary><see cref="Heap{TLayout}.Malloc"/> without the owner check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void* Malloc(nuint size) => PymallocCore<TLayout>.Malloc(_state, size);

        /// <summary><see cref="Heap{TLayout}.Calloc"/> without the owner check.</summary>
        public void* Calloc(nuint count, nuint size) => PymallocCore<TLayout>.Calloc(_state, count, size);

        /// <summary><see cref="Heap{TLayout}.Realloc"/> without the owner check.</summary>
        public void* Realloc(void* ptr, nuint size) => PymallocCore<TLayout>.Realloc(_state, ptr, size);

        /// <summary>Pymalloc's free, on the owner thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Free(void* ptr) => PymallocCore<TLayout>.Free(_state, ptr);

        /// <summary><see cref="Heap{TLayout}.New{T}"/> without the owner check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T* New<T>() where T : unmanaged => (T*)PymallocCore<TLayout>.Malloc(_state, (nuint)sizeof(T));

        /// <summary>Frees an object from <see cref="New{T}"/>, on the owner thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Delete<T>(T* ptr) where T : unmanaged => PymallocCore<TLayout>.Free(_state, ptr);

        /// <summary>Closes the scope.</summary>
        public void Dispose() => PymallocCore<TLayout>.CloseOwnedScope(_state);
    }

    /// <summary>Returns every arena to the system at once (a level unload). Blocks of this heap become
    /// invalid. Dispose exactly one copy of a handle, once, when no thread is using the heap any more
    /// (any thread may do it: a loader thread may unload a level the main thread has finished with).</summary>
    public void Dispose() => PymallocCore<TLayout>.DestroyHeap(_state);
}
