// Threads: a heap is owned by one thread, which alone allocates from it and frees with the plain
// (lock-free, interlocked-free) fast path. Any other thread frees through FreeFromAnyThread, which
// pushes the block on the heap's delayed-free stack with one compare-and-swap; the owner takes the
// whole stack back on its allocation slow path (as mimalloc's delayed frees) or when asked.
// The single-threaded decisions — what the trace oracle checks — are unchanged: with no other
// thread, the stack is always empty.
using System;
using System.Threading;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>Frees a block of <paramref name="heap"/> from any thread. On the owner this is
    /// <see cref="Free"/>; elsewhere a pool block is handed to the owner, a raw block freed at once.</summary>
    public static void FreeFromAnyThread(HeapState* heap, void* p)
    {
        if (p == null)
        {
            return;
        }
        int owner = Volatile.Read(ref heap->OwnerThread);
        if (owner == 0 || owner == Environment.CurrentManagedThreadId)
        {
            Free(heap, p); // unowned heaps are used by one thread at a time, by contract
            return;
        }
        if (!IsOwned(heap, p))
        {
            // The raw allocator is thread-safe; the count is settled with the owner on its next drain.
            RawMemory.Free(heap, p);
            Interlocked.Increment(ref heap->RemoteRawFrees);
            return;
        }
        nint head;
        do
        {
            head = Volatile.Read(ref heap->DelayedFrees);
            *(nint*)p = head;
        }
        while (Interlocked.CompareExchange(ref heap->DelayedFrees, (nint)p, head) != head);
    }

    /// <summary>On the owner thread: frees every block other threads handed over.</summary>
    public static void DrainDelayedFrees(HeapState* heap)
    {
        heap->RawAllocatedBlocks -= (nint)Interlocked.Exchange(ref heap->RemoteRawFrees, 0);
        nint list = Interlocked.Exchange(ref heap->DelayedFrees, 0);
        while (list != 0)
        {
            var p = (void*)list;
            list = *(nint*)p;
            Free(heap, p);
        }
    }

    /// <summary>Makes the heap unowned: any thread may use it, one at a time, unchecked (CPython's rule
    /// under the GIL). The static heap of a generated allocator is unowned.</summary>
    public static void ReleaseOwnership(HeapState* heap) => Volatile.Write(ref heap->OwnerThread, 0);

    /// <summary>Makes the calling thread the heap's owner. The previous owner must have stopped using
    /// the heap (hand-over is the program's to synchronise, e.g. with the job system's own fences).</summary>
    public static void TakeOwnership(HeapState* heap)
    {
        Volatile.Write(ref heap->OwnerThread, Environment.CurrentManagedThreadId);
        DrainDelayedFrees(heap);
    }
}
