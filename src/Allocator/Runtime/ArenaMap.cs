// The address check of CPython 3.10+ (obmalloc's arena_map_*): a three-level radix tree keyed by
// the arena-sized slice of an address. It answers "is p inside one of our arenas?" without ever
// reading memory at p, so a foreign pointer can be recognised safely — the old `arenaindex` check
// read the would-be pool header of any pointer, which in .NET could fault.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>One leaf entry: how an arena covers one ARENA_SIZE-aligned slice of the address space.</summary>
/// <remarks>
/// An arena that is not ARENA_SIZE-aligned straddles two slices: in the lower slice it covers the
/// offsets from <see cref="TailHi"/> up; in the upper one, the offsets below <see cref="TailLo"/>.
/// An aligned arena covers its whole slice, recorded as TailHi == -1.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal struct ArenaCoverage
{
    /// <summary>An arena starts in this slice at this offset (0: none; -1: at offset 0).</summary>
    public int TailHi;

    /// <summary>An arena that started in the previous slice ends below this offset (0: none).</summary>
    public int TailLo;
}

/// <summary>The radix tree root and its node counts. Public for generated code.</summary>
/// <remarks>Interior nodes are allocated on first use and kept; leaves are zeroed when arenas go.
/// The root node is allocated with the heap, right after its <see cref="HeapState"/>.</remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ArenaMap
{
    /// <summary>The top node: MAP_TOP_LENGTH pointers to mid nodes.</summary>
    public void** Root;

    /// <summary>Mid nodes allocated.</summary>
    public nuint MidCount;

    /// <summary>Bottom (leaf) nodes allocated.</summary>
    public nuint BotCount;
}

/// <summary>The radix-tree arithmetic for one arena size; every shift and mask folds to a constant.</summary>
internal static unsafe class ArenaMap<TLayout> where TLayout : struct, IPymallocLayout
{
    // The full 64-bit address is split as CPython 3.11 does: 3 levels sharing the bits above the
    // arena offset, so nothing outside the tree is ever dereferenced whatever p is. Every shift and
    // mask is forced inline: NativeAOT does not inline these on its own, and a call per level on
    // every free cost more than the lookup itself.
    private static int InteriorBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (64 - default(TLayout).ArenaBits + 2) / 3;
    }

    private static int BotBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 64 - default(TLayout).ArenaBits - 2 * InteriorBits;
    }

    private static int MidShift
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => BotBits + default(TLayout).ArenaBits;
    }

    private static int TopShift
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => InteriorBits + MidShift;
    }

    private static nuint InteriorMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((nuint)1 << InteriorBits) - 1;
    }

    private static nuint BotMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((nuint)1 << BotBits) - 1;
    }

    private static nuint ArenaMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((nuint)1 << default(TLayout).ArenaBits) - 1;
    }

    /// <summary>Bytes of the top node (and of each mid node).</summary>
    public static nuint InteriorNodeBytes => ((nuint)1 << InteriorBits) * (nuint)sizeof(void*);

    /// <summary>Bytes of each bottom node.</summary>
    public static nuint BotNodeBytes => ((nuint)1 << BotBits) * (nuint)sizeof(ArenaCoverage);

    /// <summary>Frees every interior and leaf node and clears the root (which belongs to the heap's own block).</summary>
    public static void Destroy(HeapState* heap)
    {
        ArenaMap* map = &heap->Map;
        if (map->Root == null)
        {
            return;
        }
        nuint top = (nuint)1 << InteriorBits;
        for (nuint i = 0; i < top; i++)
        {
            void** mid = (void**)map->Root[i];
            if (mid == null)
            {
                continue;
            }
            for (nuint j = 0; j < top; j++)
            {
                if (mid[j] != null)
                {
                    RawMemory.Free(heap, mid[j]);
                }
            }
            RawMemory.Free(heap, mid);
            map->Root[i] = null; // the root stays with the heap's block, clean for its next use
        }
        map->Root = null;
        map->MidCount = map->BotCount = 0;
    }

    /// <summary>The leaf node covering <paramref name="p"/>, created on demand if asked; null if absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ArenaCoverage* GetBot(HeapState* heap, nuint p, bool create)
    {
        ArenaMap* map = &heap->Map;
        void** slot1 = &map->Root[(p >> TopShift) & InteriorMask];
        if (*slot1 == null)
        {
            if (!create || (*slot1 = RawMemory.Calloc(heap, 1, InteriorNodeBytes)) == null)
            {
                return null;
            }
            map->MidCount++;
        }
        void** slot2 = &((void**)*slot1)[(p >> MidShift) & InteriorMask];
        if (*slot2 == null)
        {
            if (!create || (*slot2 = RawMemory.Calloc(heap, 1, BotNodeBytes)) == null)
            {
                return null;
            }
            map->BotCount++;
        }
        return (ArenaCoverage*)*slot2;
    }

    /// <summary>Marks (or unmarks) the ARENA_SIZE bytes at <paramref name="arenaBase"/> as ours.
    /// Returns false if a node could not be allocated (only possible when marking).</summary>
    public static bool MarkUsed(HeapState* heap, nuint arenaBase, bool used)
    {
        ArenaCoverage* hi = GetBot(heap, arenaBase, used);
        if (hi == null)
        {
            return false;
        }
        nuint i3 = (arenaBase >> default(TLayout).ArenaBits) & BotMask;
        int tail = (int)(arenaBase & ArenaMask);
        if (tail == 0)
        {
            hi[i3].TailHi = used ? -1 : 0;
            return true;
        }
        hi[i3].TailHi = used ? tail : 0;
        nuint next = arenaBase + ((nuint)1 << default(TLayout).ArenaBits);
        ArenaCoverage* lo = GetBot(heap, next, used);
        if (lo == null)
        {
            hi[i3].TailHi = 0;
            return false;
        }
        lo[(next >> default(TLayout).ArenaBits) & BotMask].TailLo = used ? tail : 0;
        return true;
    }

    /// <summary>True if <paramref name="p"/> lies inside one of the heap's arenas. Reads only the tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUsed(HeapState* heap, void* p)
    {
        nuint a = (nuint)p;
        void** root = (void**)(heap + 1); // == heap->Map.Root, but foldable when heap is a constant
        void** mid = (void**)root[(a >> TopShift) & InteriorMask];
        if (mid == null)
        {
            return false;
        }
        ArenaCoverage* bot = (ArenaCoverage*)mid[(a >> MidShift) & InteriorMask];
        if (bot == null)
        {
            return false;
        }
        ArenaCoverage c = bot[(a >> default(TLayout).ArenaBits) & BotMask];
        int tail = (int)(a & ArenaMask);
        return tail < c.TailLo || (tail >= c.TailHi && c.TailHi != 0);
    }
}
