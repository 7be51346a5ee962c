// The arena source under pymalloc (CPython's _PyObject_Arena): ARENA_SIZE blocks that pools are
// carved from. A custom source (PyObject_SetArenaAllocator) is called as it is. The default maps
// arenas from the OS (mmap where the platform has it: CPython does the same) and keeps a few freed
// ones for reuse (ArenaCache), below pymalloc's own decisions: the statistics and the arena
// history pymalloc reports are unchanged, only the round trips to the OS go.
using System;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>Maps and returns arenas for a heap: its custom arena allocator, or the default (OS pages,
/// pool-aligned, with a cache of freed arenas).</summary>
internal static unsafe class ArenaMemory
{
    /// <summary>Maps an arena through the heap's arena allocator; null on failure.</summary>
    public static void* Alloc(HeapState* heap, nuint arenaSize, nuint poolSize)
    {
        if (heap->ArenaSource.Alloc != null)
        {
            return heap->ArenaSource.CallAlloc(arenaSize);
        }
        void* cached = ArenaCache.Take(heap, arenaSize);
        return cached != null ? cached : OsArenas.Map(arenaSize, poolSize);
    }

    /// <summary>Returns an arena through the heap's arena allocator (the default keeps it a while).</summary>
    public static void Free(HeapState* heap, void* arena, nuint arenaSize)
    {
        if (heap->ArenaSource.Alloc != null)
        {
            heap->ArenaSource.CallFree(arena, arenaSize);
        }
        else
        {
            ArenaCache.Keep(heap, arena, arenaSize);
        }
    }
}

/// <summary>
/// The default arenas: anonymous private mappings, aligned to the pool size (so every arena has all
/// its pools), on Linux and macOS; aligned native memory elsewhere. Untouched pages are never
/// committed, which is what makes lazy pool carving cheap, and an unmapped arena is resident no more.
/// </summary>
internal static unsafe class OsArenas
{
    private static readonly bool s_mmap = Platform.IsLinux || Platform.IsMacOS;

    // mmap's constants: the same on Linux and macOS except MAP_ANONYMOUS.
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivate = 0x02;
    private static int MapAnonymous => Platform.IsMacOS ? 0x1000 : 0x20;

    /// <summary>ARENA_SIZE bytes at a multiple of <paramref name="alignment"/>; null when out of memory.</summary>
    public static void* Map(nuint size, nuint alignment)
    {
        if (!s_mmap)
        {
            try
            {
                return NativeMemory.AlignedAlloc(size, alignment);
            }
            catch (OutOfMemoryException)
            {
                return null;
            }
        }
        // mmap returns page-aligned memory: map one alignment unit more and unmap what sticks out.
        nuint page = (nuint)Environment.SystemPageSize;
        nuint extra = alignment > page ? alignment : 0;
        nint p = mmap(null, size + extra, ProtReadWrite, MapPrivate | MapAnonymous, -1, 0);
        if (p == -1 || p == 0)
        {
            return null;
        }
        nuint start = (nuint)p, aligned = (start + alignment - 1) & ~(alignment - 1);
        if (extra != 0)
        {
            nuint head = aligned - start, tail = extra - head;
            if (head != 0)
            {
                munmap((void*)start, head);
            }
            if (tail != 0)
            {
                munmap((void*)(aligned + size), tail);
            }
        }
        return (void*)aligned;
    }

    /// <summary>Returns an arena from <see cref="Map"/> to the OS.</summary>
    public static void Unmap(void* arena, nuint size)
    {
        if (s_mmap)
        {
            munmap(arena, size);
        }
        else
        {
            NativeMemory.AlignedFree(arena);
        }
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern nint mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", ExactSpelling = true)]
    private static extern int munmap(void* addr, nuint length);
}
