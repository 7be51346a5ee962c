// Every live heap of the process, so that a block freed through the wrong heap or allocator still
// reaches the heap that owns it (mimalloc's contract for mi_free): a pointer a heap does not own
// is looked up here — on the raw-free slow path only, never on a heap's own frees — and handed to
// its heap's delayed-free stack, as a free from another thread is. Only memory that no heap owns
// goes to the raw free. Heaps of any layout register, each with its own ownership test.
// Invariants: an entry exists from CreateHeap until DestroyHeap begins; routing and unregistering
// hold the registry's lock, so a block is never handed to a heap that is being torn down.
using System.Threading;

namespace Pymalloc.Runtime;

internal static unsafe class HeapRegistry
{
    private struct Entry
    {
        public HeapState* Heap;

        // A delegate*<HeapState*, void*, bool>, kept as void*: Mono 6.8 crashes on struct fields of a
        // function-pointer type (see MemorySources.cs).
        public void* Owns;
    }

    private static readonly object s_lock = new();
    private static Entry[] s_entries = new Entry[8];
    private static int s_count;

    public static void Register(HeapState* heap, void* owns)
    {
        lock (s_lock)
        {
            if (s_count == s_entries.Length)
            {
                System.Array.Resize(ref s_entries, s_count * 2);
            }
            s_entries[s_count++] = new Entry { Heap = heap, Owns = owns };
        }
    }

    public static void Unregister(HeapState* heap)
    {
        lock (s_lock)
        {
            for (int i = 0; i < s_count; i++)
            {
                if (s_entries[i].Heap == heap)
                {
                    s_entries[i] = s_entries[--s_count];
                    s_entries[s_count] = default;
                    return;
                }
            }
        }
    }

    /// <summary>Hands <paramref name="p"/> to the heap that owns it, if another live heap does.</summary>
    public static bool RouteToOwner(HeapState* from, void* p)
    {
        lock (s_lock)
        {
            for (int i = 0; i < s_count; i++)
            {
                Entry e = s_entries[i];
                if (e.Heap != from && ((delegate*<HeapState*, void*, bool>)e.Owns)(e.Heap, p))
                {
                    if (e.Heap->DebugBlocks)
                    {
                        throw new HeapCorruptionException(
                            $"Free of 0x{(nuint)p:x}, a block of a debug-mode allocator, through another heap or allocator: free it through the allocator that made it.",
                            (nuint)p, 0, "");
                    }
                    Push(e.Heap, p);
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Pushes a block on a heap's delayed-free stack (its owner frees it on its next drain).</summary>
    public static void Push(HeapState* heap, void* p)
    {
        nint head;
        do
        {
            head = Volatile.Read(ref heap->DelayedFrees);
            *(nint*)p = head;
        }
        while (Interlocked.CompareExchange(ref heap->DelayedFrees, (nint)p, head) != head);
    }
}
