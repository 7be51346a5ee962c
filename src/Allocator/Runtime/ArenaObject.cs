// The bookkeeping record of one arena, like obmalloc.c's `struct arena_object`. These records live
// in a growable array owned by the heap; the arenas they describe are separate ARENA_SIZE blocks.
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>
/// Describes one arena. Public for generated code; not meant to be used directly.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item><see cref="Address"/> == 0 exactly when the record is unassociated; it is then on the
/// heap's <c>unused_arena_objects</c> list (linked by <see cref="NextArena"/> only);</item>
/// <item>an associated arena with <see cref="NFreePools"/> &gt; 0 is on <c>usable_arenas</c>, a
/// doubly linked list sorted by NFreePools ascending, so the fullest arenas are used first and
/// nearly empty ones get a chance to become empty and be released;</item>
/// <item>free pools are those on <see cref="FreePools"/> plus the ones not yet carved, from
/// <see cref="PoolAddress"/> to the arena's end.</item>
/// </list>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ArenaObject
{
    /// <summary>Base address of the arena as the arena allocator returned it; 0 if unassociated.</summary>
    public nuint Address;

    /// <summary>Next pool to carve: the first pool-aligned address not yet handed out.</summary>
    public byte* PoolAddress;

    /// <summary>Number of free pools (on <see cref="FreePools"/> or not yet carved).</summary>
    public uint NFreePools;

    /// <summary>Pools the arena can hold: MAX_POOLS_IN_ARENA, or one less if not pool-aligned.</summary>
    public uint NTotalPools;

    /// <summary>Singly linked list of empty pools, linked by <see cref="PoolHeader.NextPool"/>.</summary>
    public PoolHeader* FreePools;

    /// <summary>Next arena in <c>usable_arenas</c> or in <c>unused_arena_objects</c>.</summary>
    public ArenaObject* NextArena;

    /// <summary>Previous arena in <c>usable_arenas</c>.</summary>
    public ArenaObject* PrevArena;
}
