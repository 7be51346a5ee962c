// The header at the start of every pool, laid out exactly like obmalloc.c's `struct pool_header`
// on 64-bit (48 bytes), so POOL_OVERHEAD and the PTA trick carry over unchanged.
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>
/// A pool: POOL_SIZE bytes holding blocks of one size class, with this header at its start.
/// Public for generated code (the <c>usedpools</c> table is built with <see cref="PTA"/>); its fields are internal.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>a pool is in exactly one state: <em>used</em> (in its class's <c>usedpools</c> list,
/// 0 &lt; Count &lt; blocks per pool, FreeBlock != null), <em>full</em> (in no list, FreeBlock == null),
/// or <em>empty</em> (on its arena's <c>freepools</c> list, Count == 0);</item>
/// <item><see cref="FreeBlock"/> heads a singly linked list threaded through the free blocks
/// themselves; blocks at or past <see cref="NextOffset"/> were never handed out and are not on it
/// (lazy carving: a pool is only touched as far as it has been used).</item>
/// </list>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PoolHeader
{
    /// <summary>Number of allocated blocks (obmalloc's <c>ref.count</c>, padded to a pointer).</summary>
    internal uint Count;
    private readonly uint _padding;

    /// <summary>Head of the free-block list; null when the pool is full.</summary>
    internal byte* FreeBlock;

    /// <summary>Next pool in the <c>usedpools</c> ring, or in the arena's <c>freepools</c> list.</summary>
    internal PoolHeader* NextPool;

    /// <summary>Previous pool in the <c>usedpools</c> ring (unused on <c>freepools</c>).</summary>
    internal PoolHeader* PrevPool;

    /// <summary>Index of the pool's arena object in the heap's arena array.</summary>
    internal uint ArenaIndex;

    /// <summary>Size class of the blocks (<see cref="DummySizeIndex"/> for a pool never initialised).</summary>
    internal uint SizeIndex;

    /// <summary>Offset of the next never-used block.</summary>
    internal uint NextOffset;

    /// <summary>Largest valid <see cref="NextOffset"/>: POOL_SIZE minus the block size.</summary>
    internal uint MaxNextOffset;

    /// <summary>obmalloc's DUMMY_SIZE_IDX: the size class of a freshly carved pool.</summary>
    internal const uint DummySizeIndex = 0xffff;

    /// <summary>sizeof(struct pool_header) on 64-bit; POOL_OVERHEAD rounds it up to ALIGNMENT.</summary>
    internal const int Size = 48;

    /// <summary>
    /// PTA(x): the address of the fake pool header whose <c>NextPool</c>/<c>PrevPool</c> fields are
    /// <c>usedPools[2x]</c> and <c>usedPools[2x+1]</c>. Pointing a class's pair at it makes the class an
    /// empty ring, and <c>pool != pool-&gt;NextPool</c> then reads "the class has a used pool".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PoolHeader* PTA(PoolHeader** usedPools, int x)
        => (PoolHeader*)((byte*)&usedPools[2 * x] - 2 * sizeof(void*));
}
