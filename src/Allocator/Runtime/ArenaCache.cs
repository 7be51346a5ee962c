// Freed arenas kept for reuse (mimalloc's delayed purge is the model): when pymalloc releases an
// arena of the default source it is parked here rather than unmapped, and the next arena pymalloc
// maps takes the most recently parked one (its pages are still resident and warm). Parked arenas
// go back to the OS after PurgeDelayMilliseconds, or at once beyond the bound, or when the heap is
// trimmed, reset or destroyed. The cache sits below pymalloc: which arenas pymalloc maps and
// releases, and so its statistics, do not change.
// Invariants: Count <= Capacity; slots [0, Count) hold parked arenas, oldest first; only the heap's
// owner (its arena slow paths) touches the cache.
using System;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>The parked arenas of one heap (it lives in <see cref="HeapState"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ArenaCache
{
    /// <summary>The most arenas a heap can park.</summary>
    public const int Capacity = 16;

    /// <summary>Bytes of arenas a heap parks at most (so 8 arenas of 1 MiB, 16 of 256 KiB).</summary>
    public const long MaxBytes = 8L << 20;

    /// <summary>How long a parked arena waits for reuse before it is returned to the OS.</summary>
    public const int PurgeDelayMilliseconds = 1000;

    private fixed ulong _arenas[Capacity];
    private fixed long _parkedAt[Capacity];

    /// <summary>Arenas parked now.</summary>
    public int Count;

    /// <summary>Arenas reused from the cache over the heap's life (each one a map and an unmap saved).</summary>
    public ulong Reused;

    /// <summary>Arenas returned to the OS over the heap's life.</summary>
    public ulong Unmapped;

    /// <summary>How many arenas of <paramref name="arenaSize"/> bytes a heap parks at most.</summary>
    public static int Limit(nuint arenaSize) => (int)Math.Clamp(MaxBytes / (long)arenaSize, 2, Capacity);

    /// <summary>The most recently parked arena, or null; returns expired ones to the OS first.</summary>
    internal static void* Take(HeapState* heap, nuint arenaSize)
    {
        ArenaCache* c = &heap->Cache;
        if (c->Count == 0)
        {
            return null;
        }
        Purge(heap, arenaSize, Platform.TickCount64);
        if (c->Count == 0)
        {
            return null;
        }
        c->Count--;
        c->Reused++;
        return (void*)c->_arenas[c->Count];
    }

    /// <summary>Parks a freed arena, returning the oldest to the OS when the cache is full.</summary>
    internal static void Keep(HeapState* heap, void* arena, nuint arenaSize)
    {
        ArenaCache* c = &heap->Cache;
        long now = Platform.TickCount64;
        Purge(heap, arenaSize, now);
        if (c->Count >= Limit(arenaSize))
        {
            Unmap(c, (void*)c->_arenas[0], arenaSize);
            RemoveOldest(c, 1);
        }
        c->_arenas[c->Count] = (ulong)arena;
        c->_parkedAt[c->Count] = now;
        c->Count++;
    }

    /// <summary>Returns every parked arena to the OS (trim, reset, destroy).</summary>
    internal static void ReleaseAll(HeapState* heap, nuint arenaSize)
    {
        ArenaCache* c = &heap->Cache;
        for (int i = 0; i < c->Count; i++)
        {
            Unmap(c, (void*)c->_arenas[i], arenaSize);
        }
        c->Count = 0;
    }

    /// <summary>Returns the arenas parked longer than the purge delay; they are the oldest, at the front.</summary>
    private static void Purge(HeapState* heap, nuint arenaSize, long now)
    {
        ArenaCache* c = &heap->Cache;
        int expired = 0;
        while (expired < c->Count && now - c->_parkedAt[expired] >= PurgeDelayMilliseconds)
        {
            Unmap(c, (void*)c->_arenas[expired], arenaSize);
            expired++;
        }
        RemoveOldest(c, expired);
    }

    private static void RemoveOldest(ArenaCache* c, int n)
    {
        if (n == 0)
        {
            return;
        }
        for (int i = n; i < c->Count; i++)
        {
            c->_arenas[i - n] = c->_arenas[i];
            c->_parkedAt[i - n] = c->_parkedAt[i];
        }
        c->Count -= n;
    }

    private static void Unmap(ArenaCache* c, void* arena, nuint arenaSize)
    {
        OsArenas.Unmap(arena, arenaSize);
        c->Unmapped++;
    }
}
