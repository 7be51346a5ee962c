// The attribute a consumer writes; the generator reads it at compile time.
// It lives in the runtime library so that user code compiles against a real type, and so the
// generator can find it by metadata name whether or not the generator itself is loaded.
using System;

namespace Pymalloc;

/// <summary>
/// Fixes the layout of a pymalloc allocator at compile time. On the assembly
/// (<c>[assembly: PymallocConfig(...)]</c>) it produces <c>Pymalloc.Generated.PymallocAllocator</c>
/// (or the type named by <see cref="TypeName"/>); on an <c>unsafe static partial class</c> it
/// generates a separate allocator, with its own state, into that class.
/// </summary>
/// <remarks>
/// Every property is optional. An unset layout property takes the value of <see cref="Preset"/>,
/// by default CPython 3.11's on 64-bit: <c>Alignment = 16</c>, <c>PoolSize = 16384</c>,
/// <c>ArenaSize = 1048576</c>, <c>SmallRequestThreshold = 512</c>. Impossible combinations are
/// compile-time errors (PYM0xx).
/// </remarks>
// AllowMultiple so that a second configuration reaches the generator, which reports PYM007 with
// a message that says what to do instead of the compiler's bare CS0579.
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PymallocConfigAttribute : Attribute
{
    /// <summary>The CPython release whose layout is the starting point; explicit properties override it.</summary>
    public PymallocPreset Preset { get; set; }

    /// <summary>ALIGNMENT: block sizes and block addresses are multiples of it (a power of two, at least 8).</summary>
    public int Alignment { get; set; }

    /// <summary>POOL_SIZE: bytes per pool, a power of two of at least 4 KiB; pools hold blocks of one size class.</summary>
    public int PoolSize { get; set; }

    /// <summary>ARENA_SIZE: bytes per arena, a power of two holding at least one pool; arenas are what is taken from the OS.</summary>
    public int ArenaSize { get; set; }

    /// <summary>SMALL_REQUEST_THRESHOLD: the largest request pymalloc serves; larger ones go to the raw allocator.</summary>
    public int SmallRequestThreshold { get; set; }

    /// <summary>
    /// Debug mode (CPython's PYMALLOC_DEBUG): guard bytes around every block, CLEANBYTE/DEADBYTE fills,
    /// an API id, the allocator's tag and a serial number per block. Overruns, underruns, double
    /// frees, frees through another API or allocator, pointers that are not blocks and writes to
    /// freed blocks are reported as <see cref="HeapCorruptionException"/>. Slower; for development.
    /// </summary>
    public bool Debug { get; set; }

    /// <summary>CPython's MAX_ARENAS (WITH_MEMORY_LIMITS): the most arenas the allocator maps; 0 (default) means no limit.</summary>
    public int MaxArenas { get; set; }

    /// <summary>What small requests do past <see cref="MaxArenas"/> (default: fall back to the raw allocator, as CPython).</summary>
    public MemoryLimitBehavior OnMemoryLimit { get; set; }

    /// <summary>
    /// The threading model, compiled into every call (default <see cref="PymallocThreading.CheckedOwner"/>:
    /// the owner thread allocates, any thread frees, a wrong-thread allocation throws). With
    /// <see cref="PymallocThreading.Unchecked"/> the per-call owner check is absent from the generated code.
    /// </summary>
    public PymallocThreading Threading { get; set; }

    /// <summary>
    /// Per-operation counters (default false): every allocation and free also updates an allocation
    /// count and the bytes in blocks, for the <c>pymalloc.allocations</c> instrument and for reading the
    /// bytes without a walk. Off, the fast paths write only what CPython writes (the pool's block
    /// count), and the meters derive the bytes from the pools when read.
    /// </summary>
    public bool LiveCounters { get; set; }

    /// <summary>
    /// A hardened release mode (default false; mimalloc's secure mode is the model): every free checks
    /// that the pointer is the start of a live block of this heap — an interior pointer, a block freed
    /// twice or a pointer that is neither a pool block nor one of the heap's raw blocks is a
    /// <see cref="HeapCorruptionException"/> instead of silent corruption or a dead process — and every
    /// allocation checks the free-list link it follows, so a corrupted free list never hands out memory
    /// outside its pool. Costs a few instructions per call (measured in docs/benchmarks.md).
    /// </summary>
    public bool Hardened { get; set; }

    /// <summary>
    /// The name of the generated type for an assembly-level configuration, optionally with a
    /// namespace (<c>"MyGame.Memory.SmallAlloc"</c>). Default: <c>Pymalloc.Generated.PymallocAllocator</c>.
    /// </summary>
    public string? TypeName { get; set; }
}
