// The pymalloc algorithm for one layout, split by concept across PymallocCore.*.cs:
//   .cs           derived constants, creating and destroying a heap
//   .Alloc.cs     malloc / calloc / realloc / free, the raw redirect
//   .Pool.cs      pool transitions: extend, used -> full -> used -> empty, taking a fresh pool
//   .Arena.cs     arenas: mapping, the sorted usable_arenas list, releasing, the arena lock
//   .Threads.cs   the owner rule, frees handed over by other threads and their drain
//   .Hardened.cs  the hardened mode's checks (compiled out when the layout says Hardened = false)
//   .Reset.cs     emptying a heap while keeping its arenas
//   .Stats.cs     the statistics snapshot (CPython's _PyObject_DebugMallocStats)
//   .Validate.cs  the invariant walk behind Validate()
//   .Observe.cs   figures derived when read (bytes in blocks), safe from any thread
// The transitions assert obmalloc.c's invariants (Debug.Assert: debug builds of this library).
// Everything is a static method over a HeapState*, generic over the layout so that the JIT
// specialises it per layout. Public only where generated code calls it (EditorBrowsable(Never));
// the rest is internal. HeapWalk.cs holds the arena and pool walks the whole-heap files share.
using System.ComponentModel;
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>CPython 3.11's small-object allocator for the layout <typeparamref name="TLayout"/>.</summary>
/// <remarks>For generated code: its public members are the ones a generated allocator calls, and
/// programs use the generated class or <see cref="Heap{TLayout}"/> instead. Everything else is internal.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe partial class PymallocCore<TLayout> where TLayout : struct, IPymallocLayout
{
    /// <summary>ALIGNMENT.</summary>
    internal static nuint Alignment
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (nuint)1 << default(TLayout).AlignmentShift;
    }

    /// <summary>POOL_SIZE.</summary>
    internal static nuint PoolSize
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (nuint)1 << default(TLayout).PoolSizeShift;
    }

    /// <summary>POOL_SIZE_MASK.</summary>
    internal static nuint PoolSizeMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PoolSize - 1;
    }

    /// <summary>ARENA_SIZE.</summary>
    internal static nuint ArenaSize
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (nuint)1 << default(TLayout).ArenaBits;
    }

    /// <summary>INDEX2SIZE: the block size of size class <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint BlockSize(uint index) => (index + 1) << default(TLayout).AlignmentShift;

    /// <summary>NUMBLOCKS: blocks of size class <paramref name="index"/> in one pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint BlocksPerPool(uint index) => ((uint)PoolSize - default(TLayout).PoolOverhead) / BlockSize(index);

    /// <summary>POOL_ADDR: the pool holding block <paramref name="p"/> (pools are POOL_SIZE-aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PoolHeader* PoolOf(void* p) => (PoolHeader*)((nuint)p & ~PoolSizeMask);

    /// <summary>
    /// Set <c>PYMALLOC_BYPASS=1</c> in the environment (like CPython's <c>PYTHONMALLOC=malloc</c>) and
    /// every heap created afterwards sends all requests to the raw allocator, so tools such as
    /// valgrind or a sanitizer see each block. Read when a heap is created.
    /// </summary>
    internal static bool BypassRequested => Environment.GetEnvironmentVariable("PYMALLOC_BYPASS") is "1" or "true";

    /// <summary>The first pool of an arena: its first POOL_SIZE-aligned address (where carving starts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nuint FirstPool(ArenaObject* arena) => (arena->Address + PoolSizeMask) & ~PoolSizeMask;

    /// <summary>The heap's associated arenas (see HeapWalk.cs).</summary>
    internal static ArenaWalk Arenas(HeapState* heap) => new(heap);

    /// <summary>An arena's carved pools, each with a header (see HeapWalk.cs).</summary>
    internal static PoolWalk CarvedPools(ArenaObject* arena) => new(FirstPool(arena), (nuint)arena->PoolAddress, PoolSize);

    /// <summary>Creates an empty heap: no arenas yet, every size class an empty ring.</summary>
    /// <returns>The heap, or null when out of memory.</returns>
    /// <exception cref="PlatformNotSupportedException">The process is 32-bit (see <see cref="Platform.EnsureSupported"/>).</exception>
    public static HeapState* CreateHeap()
    {
        Platform.EnsureSupported();
        HeapState* heap = Retired.Take();
        if (heap != null)
        {
            // A disposed heap's block: its arena map root was cleared when it was disposed, and its
            // generation goes on counting, so handles to the heap it was stay refused.
            ulong generation = heap->Generation;
            ArenaObject** nfp2lasta = heap->Nfp2Lasta;
            *heap = default;
            heap->Generation = generation;
            heap->Nfp2Lasta = nfp2lasta;
            new Span<byte>(nfp2lasta, (int)(default(TLayout).MaxPoolsInArena + 1) * sizeof(void*)).Clear();
        }
        else
        {
            // The arena map's root node follows the state in the same block: for a heap whose address
            // the JIT knows (a generated allocator's), the root's address is a constant too, which
            // takes one dependent load off every free.
            try
            {
                heap = (HeapState*)NativeMemory.AllocZeroed((nuint)sizeof(HeapState) + ArenaMap<TLayout>.InteriorNodeBytes);
                heap->Nfp2Lasta = (ArenaObject**)NativeMemory.AllocZeroed((nuint)(default(TLayout).MaxPoolsInArena + 1), (nuint)sizeof(void*));
            }
            catch (OutOfMemoryException)
            {
                NativeMemory.Free(heap);
                return null;
            }
            heap->Generation = 1;
        }
        default(TLayout).InitializeUsedPools(HeapState.UsedPools(heap));
        heap->Map.Root = (void**)(heap + 1);
        heap->Bypass = BypassRequested;
        heap->FreeListKey = (nuint)Platform.RandomUInt64() | 1;
        InitializeReciprocals(heap);
        BecomeOwner(heap);
        HeapRegistry.Register(heap, (void*)(delegate*<HeapState*, void*, bool>)&OwnsBlock);
        return heap;
    }

    /// <summary>Returns every arena and every raw block of <paramref name="heap"/> (a level unload is one
    /// call) and retires the heap: its state block is kept for the next heap created, under a new
    /// generation, so a handle to this heap is refused from now on instead of reaching freed memory.
    /// Frees other threads handed over and the owner never drained are discarded (their memory is
    /// returned with the rest).</summary>
    internal static void DestroyHeap(HeapState* heap)
    {
        if (heap == null)
        {
            return;
        }
        HeapRegistry.Unregister(heap); // no wrong-heap free is handed to it from now on
        if (heap->Recorder != 0)
        {
            TraceRecorder.Detach(heap); // PYMALLOC_TRACE: the recording ends with the heap
        }
        LockArenas(heap); // an observer still walking finishes first, and none starts (Address = 0)
        ReleaseBlocks(heap);
        foreach (ArenaObject* arena in Arenas(heap))
        {
            nuint address = arena->Address;
            arena->Address = 0;
            ArenaMemory.Free(heap, (void*)address, ArenaSize);
        }
        ArenaCache.ReleaseAll(heap, ArenaSize);
        ArenaMap<TLayout>.Destroy(heap);
        if (heap->Arenas != null)
        {
            RawMemory.Free(heap, heap->Arenas);
            heap->Arenas = null;
        }
        heap->ArenaSlots = 0;
        LockRaw(heap);
        heap->RawBlocks.Release();
        UnlockRaw(heap);
        ForgetOwner(heap);
        System.Threading.Interlocked.Increment(ref *(long*)&heap->Generation); // as long: netstandard2.1 has no ulong overload
        UnlockArenas(heap);
        Retired.Put(heap);
    }

    /// <summary>Frees every raw block, and settles the frees other threads handed over: pool and raw
    /// blocks among them are freed with the rest, foreign pointers go to the raw free (as if drained).</summary>
    private static void ReleaseBlocks(HeapState* heap)
    {
        nint list = System.Threading.Interlocked.Exchange(ref heap->DelayedFrees, (nint)0);
        while (list != 0)
        {
            var p = (void*)list;
            list = *(nint*)p;
            if (!Contains(heap, p) && !heap->RawBlocks.Contains(p))
            {
                RawMemory.Free(heap, p);
            }
        }
        LockRaw(heap);
        heap->RawBlocks.FreeAll(heap, OverAligned);
        UnlockRaw(heap);
    }

    /// <summary>Disposed heap blocks of this layout, kept for reuse: a heap's block is never returned to
    /// the OS, so a stale handle always reads its generation from valid memory.</summary>
    private static class Retired
    {
        /// <summary>Orders disposals (and the list): two copies of a handle disposed at once, one wins.</summary>
        public static readonly object Lock = new();

        private static HeapState* s_head;

        public static HeapState* Take()
        {
            lock (Lock)
            {
                HeapState* heap = s_head;
                if (heap != null)
                {
                    s_head = heap->NextRetired;
                }
                return heap;
            }
        }

        public static void Put(HeapState* heap)
        {
            lock (Lock)
            {
                heap->NextRetired = s_head;
                s_head = heap;
            }
        }
    }

    /// <summary>Replaces the heap's raw allocator. Only before the heap has used it: while it holds no
    /// raw block and has never mapped an arena (the raw allocator also holds its bookkeeping).</summary>
    /// <exception cref="InvalidOperationException">The heap is in use, or the allocator is incomplete.</exception>
    public static void SetRawAllocator(HeapState* heap, in RawAllocator allocator)
    {
        if (!allocator.IsDefault && !allocator.IsComplete)
        {
            throw new ArgumentException("A raw allocator needs all four functions (or none, for the default).", nameof(allocator));
        }
        if (heap->RawAllocatedBlocks != 0 || heap->ArenaSlots != 0)
        {
            throw new InvalidOperationException("The raw allocator can only be replaced before the heap is first used.");
        }
        heap->Raw = allocator;
    }

    /// <summary>Replaces the heap's arena allocator. Only before the heap has mapped an arena.</summary>
    /// <exception cref="InvalidOperationException">The heap has mapped arenas, or the allocator is incomplete.</exception>
    public static void SetArenaAllocator(HeapState* heap, in ArenaAllocator allocator)
    {
        if (!allocator.IsDefault && !allocator.IsComplete)
        {
            throw new ArgumentException("An arena allocator needs both functions (or none, for the default).", nameof(allocator));
        }
        if (heap->TimesArenaAllocated != 0)
        {
            throw new InvalidOperationException("The arena allocator can only be replaced before the heap maps its first arena.");
        }
        heap->ArenaSource = allocator;
    }

    /// <summary>CPython's WITH_MEMORY_LIMITS: at most <paramref name="maxArenas"/> arenas (0: no limit).
    /// Past it, small requests go to the raw allocator, or fail if <paramref name="failInsteadOfRaw"/>.</summary>
    public static void SetMemoryLimit(HeapState* heap, nuint maxArenas, bool failInsteadOfRaw)
    {
        heap->MaxArenasLimit = maxArenas;
        heap->FailSmallRequestsWithoutArena = failInsteadOfRaw;
    }
}
