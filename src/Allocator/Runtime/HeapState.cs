// Everything one pymalloc heap knows, in one block of unmanaged memory: obmalloc.c's globals
// (usedpools, arenas, usable_arenas, nfp2lasta, the counters, the arena map) gathered into a
// struct so that a program can have several heaps and native code can hold one.
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>
/// The state of one heap: an opaque handle outside this library, which generated code passes to <see cref="PymallocCore{TLayout}"/>.
/// </summary>
/// <remarks>
/// <c>usedpools</c> sits at offset 0 so that generated code reaches a size class's list head at a
/// constant offset from the heap pointer. The struct never moves once created.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct HeapState
{
    /// <summary>The largest number of size classes a layout may have (obmalloc's limit too).</summary>
    internal const int MaxSizeClasses = 64;

    private fixed ulong _usedPools[2 * MaxSizeClasses];

    /// <summary>The hardened mode's exact block-start check: ceil(2^64 / block size) per class, here at a
    /// fixed offset from the heap so that reading one is a single load (no table, no bounds check).</summary>
    internal fixed ulong BlockReciprocals[MaxSizeClasses];

    /// <summary>The hardened mode's free-list key: links are stored XOR it (mimalloc's encoded free
    /// lists), so a live block's data, zero included, never passes for a free block's link. Random per heap.</summary>
    internal nuint FreeListKey;

    /// <summary>The arena-object array (obmalloc's <c>arenas</c>), grown by doubling.</summary>
    internal ArenaObject* Arenas;

    /// <summary>Number of records in <see cref="Arenas"/> (obmalloc's <c>maxarenas</c>).</summary>
    internal uint ArenaSlots;

    /// <summary>Head of the list of unassociated arena records.</summary>
    internal ArenaObject* UnusedArenaObjects;

    /// <summary>Head of the list of arenas with free pools, sorted by free pools ascending.</summary>
    internal ArenaObject* UsableArenas;

    /// <summary>nfp2lasta[n]: the rightmost arena in <see cref="UsableArenas"/> with n free pools.</summary>
    internal ArenaObject** Nfp2Lasta;

    /// <summary>Arenas currently mapped.</summary>
    internal nuint ArenasCurrentlyAllocated;

    /// <summary>Arenas mapped over the heap's life.</summary>
    internal nuint TimesArenaAllocated;

    /// <summary>Most arenas mapped at once.</summary>
    internal nuint ArenasHighwater;

    /// <summary>Pools in use (used or full): counted on the slow paths, so observers need not walk the heap.</summary>
    internal nuint PoolsInUse;

    /// <summary>Allocations served (pool and raw), for the allocation-rate counter. Owner-written; kept
    /// only with <c>LiveCounters = true</c> (<see cref="IPymallocLayout.LiveCounters"/>).</summary>
    internal ulong Allocations;

    /// <summary>Bytes in allocated pool blocks (block sizes, not requested sizes). Owner-written; kept only
    /// with <c>LiveCounters = true</c>, otherwise derived from the pools when read (<c>PymallocCore.BytesInBlocks</c>).</summary>
    internal nuint BytesInBlocks;

    /// <summary>Bytes of all the blocks the pools in use can hold; minus <see cref="BytesInBlocks"/>, the bytes available.</summary>
    internal nuint PoolBlockBytes;

    /// <summary>Blocks handed out by the raw allocator and not yet freed (<see cref="RawBlocks"/>' count).</summary>
    internal readonly nint RawAllocatedBlocks => (nint)RawBlocks.Count;

    /// <summary>The raw blocks themselves, so that Reset and Dispose free them too.</summary>
    internal RawBlockSet RawBlocks;

    /// <summary>Held while <see cref="RawBlocks"/> changes or another heap's free asks it whether it
    /// holds a block (a wrong-heap free is routed to its owner); taken only on raw paths.</summary>
    internal int RawLock;

    /// <summary>The heap of a debug allocator: its blocks carry debug headers, so a wrong-heap free of
    /// one is reported rather than handed over (its pointer is not the block's start).</summary>
    internal bool DebugBlocks;

    /// <summary>Which addresses belong to this heap's arenas.</summary>
    internal ArenaMap Map;

    /// <summary>The raw allocator (zeroed: the C runtime's).</summary>
    internal RawAllocator Raw;

    /// <summary>The arena allocator (zeroed: pool-aligned native memory).</summary>
    internal ArenaAllocator ArenaSource;

    /// <summary>CPython's MAX_ARENAS (WITH_MEMORY_LIMITS): no arena is mapped beyond it; 0 means no limit.</summary>
    internal nuint MaxArenasLimit;

    /// <summary>With a limit reached (or no arena to be had), small requests fail instead of falling back to the raw allocator.</summary>
    internal bool FailSmallRequestsWithoutArena;

    /// <summary>Every request goes to the raw allocator (PYMALLOC_BYPASS): no pool is ever used.</summary>
    internal bool Bypass;

    /// <summary>The managed thread id of the thread that owns the heap: the only one that allocates from it.</summary>
    internal int OwnerThread;

    /// <summary>The owner thread's stack, [OwnerStackLow, OwnerStackLow + OwnerStackSize): the owner check
    /// compares the address of a local with it. (0, 0) while unowned, or where the OS cannot tell.</summary>
    internal nuint OwnerStackLow;

    /// <summary>See <see cref="OwnerStackLow"/>.</summary>
    internal nuint OwnerStackSize;

    /// <summary>Owner scopes (<c>Own()</c>) open on the owner thread, whose calls skip the per-call owner
    /// check; while one is open the owner cannot give the heap up. Owner-written.</summary>
    internal int OpenOwnerScopes;

    /// <summary>Blocks freed by other threads, waiting for the owner: a lock-free stack linked through the
    /// blocks' first word, pushed with compare-and-swap and taken whole by the owner on its slow path.</summary>
    internal nint DelayedFrees;

    /// <summary>A GCHandle to the TraceRecorder recording this heap's calls (PYMALLOC_TRACE), or 0: the
    /// drain of delayed frees records each free when pymalloc performs it. Read on slow paths only.</summary>
    internal nint Recorder;

    /// <summary>Bumped each time the heap is disposed: a <c>Heap</c> handle remembers the generation it was
    /// created with, so a copy used after Dispose (even once the block is reused by a new heap) is refused.</summary>
    internal ulong Generation;

    /// <summary>The next disposed heap block kept for reuse (a list per layout).</summary>
    internal HeapState* NextRetired;

    /// <summary>Held while the arena-object array is reallocated, an arena's memory is returned, or an
    /// observer on another thread walks the arenas (<c>PymallocCore.BytesInBlocks</c>): the walk then never
    /// reads memory that is being freed. Taken only on arena slow paths, never per block.</summary>
    internal int ArenaLock;

    /// <summary>Freed arenas of the default arena source kept for reuse (see <see cref="ArenaCache"/>).</summary>
    internal ArenaCache Cache;

    /// <summary>The <c>usedpools</c> table: pair (2i, 2i+1) is the list head of size class i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PoolHeader** UsedPools(HeapState* heap) => (PoolHeader**)heap;
}
