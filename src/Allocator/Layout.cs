// The contract between generated code and the runtime: a layout whose every member is a constant.
// The generator implements it on a struct; the core (PymallocCore<TLayout>) is generic over it and
// reads each member as default(TLayout).Member. Generics over a struct are never shared (CoreCLR,
// NativeAOT, Mono's JIT and IL2CPP all compile one copy per struct type), so each call is a direct
// call to a method returning a constant, inlined: the JIT compiles one copy of the algorithm per
// layout with every size, shift and mask folded into immediates. Instance members rather than
// ones so that the contract works on runtimes without them (netstandard2.1: Unity,
// Mono, .NET 6); measured on net8.0, the folded code is the same (docs/benchmarks.md).
// The layout also carries the features chosen at compile time (ChecksOwner, LiveCounters, Hardened):
// being constants of the struct, a disabled feature's code is folded away wherever the core tests it.
// A layout that reads its numbers from fields at run time also works (slower).
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>A pymalloc layout: the numbers obmalloc.c fixes with macros.</summary>
/// <remarks>
/// Invariants every implementation keeps (the generator checks them and reports PYM0xx otherwise):
/// <list type="bullet">
/// <item><c>Alignment == 1 &lt;&lt; AlignmentShift</c>, at least 8, so a free block can hold the free-list pointer;</item>
/// <item><c>PoolSize == 1 &lt;&lt; PoolSizeShift</c>, so a block's pool is its address with the low bits cleared;</item>
/// <item><c>ArenaSize == 1 &lt;&lt; ArenaBits</c>, a multiple of <c>PoolSize</c>, below 2^31 (the arena map stores 32-bit tails);</item>
/// <item><c>SmallRequestThreshold == NumSizeClasses &lt;&lt; AlignmentShift</c>, at most 64 classes, and a pool
/// holds at least two blocks of the largest class after its header.</item>
/// </list>
/// Implementations are structs (the core constrains <c>TLayout : struct</c>) with no state the members
/// depend on: the core never creates one, it calls the members on <c>default(TLayout)</c>.
/// </remarks>
public unsafe interface IPymallocLayout
{
    /// <summary>A short human-readable name of the layout (shown in statistics and by the inspector).</summary>
    string Name { get; }

    /// <summary>log2(ALIGNMENT).</summary>
    int AlignmentShift { get; }

    /// <summary>SMALL_REQUEST_THRESHOLD: requests of 1..threshold bytes are pymalloc's.</summary>
    nuint SmallRequestThreshold { get; }

    /// <summary>NB_SMALL_SIZE_CLASSES.</summary>
    uint NumSizeClasses { get; }

    /// <summary>log2(POOL_SIZE).</summary>
    int PoolSizeShift { get; }

    /// <summary>POOL_OVERHEAD: the pool header rounded up to ALIGNMENT.</summary>
    uint PoolOverhead { get; }

    /// <summary>log2(ARENA_SIZE) (ARENA_BITS).</summary>
    int ArenaBits { get; }

    /// <summary>MAX_POOLS_IN_ARENA: ARENA_SIZE / POOL_SIZE.</summary>
    uint MaxPoolsInArena { get; }

    /// <summary>The threading model's check: true when every public call checks the heap's owner
    /// (<see cref="PymallocThreading.CheckedOwner"/>); false for <see cref="PymallocThreading.Unchecked"/>.</summary>
    bool ChecksOwner { get; }

    /// <summary>True when the fast paths keep the per-operation counters (<c>LiveCounters = true</c>).</summary>
    bool LiveCounters { get; }

    /// <summary>True when frees and allocations check their pointers (<c>Hardened = true</c>).</summary>
    bool Hardened { get; }

    /// <summary>Writes the <c>usedpools</c> table: every size class an empty circular list (the PTA trick).</summary>
    void InitializeUsedPools(PoolHeader** usedPools);
}
