// Threads: a heap is owned by one thread, which alone allocates from it and frees with the plain
// (lock-free, interlocked-free) fast path. Any other thread's free pushes the block on the heap's
// delayed-free stack with one compare-and-swap; the owner takes the whole stack back on its
// allocation slow path (as mimalloc's delayed frees) or when asked.
// The public APIs (Heap<TLayout> and the generated static API) check the owner on every call — is
// the caller on the owner's stack? (see ThreadIdentity) no lock, no interlocked instruction — so a call from the wrong
// thread is either routed (a free) or refused with an error (an allocation), never a data race.
// An unowned heap (OwnerThread == 0) is claimed by the next thread to use it.
// The single-threaded decisions — what the trace oracle checks — are unchanged: with no other
// thread, the stack is always empty.
using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Pymalloc.Runtime;

public static unsafe partial class PymallocCore<TLayout>
{
    /// <summary>
    /// True if the caller runs on the owner's stack: the fast half of the owner check (no thread-local
    /// read). False sends the caller out of line, where the managed thread id decides — so a platform
    /// that cannot report stacks is still correct, only slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsOwner(HeapState* heap) => ThreadIdentity.OnStack(heap->OwnerStackLow, heap->OwnerStackSize);

    /// <summary>Records the calling thread as the owner: its id, then its stack (the fast check).</summary>
    private static void BecomeOwner(HeapState* heap)
    {
        (nuint low, nuint size) = ThreadIdentity.Stack;
        Volatile.Write(ref heap->OwnerThread, ThreadIdentity.Current);
        // Size before low: a reader that sees the new size with the old low (0) compares its stack
        // address, far above any stack size, with the size and fails — never a false "owner".
        heap->OwnerStackSize = size;
        heap->OwnerStackLow = low;
    }

    /// <summary>Forgets the owner: the stack first, so that no check passes once the id is cleared.</summary>
    private static void ForgetOwner(HeapState* heap)
    {
        heap->OwnerStackLow = 0;
        heap->OwnerStackSize = 0;
        Volatile.Write(ref heap->OwnerThread, 0);
    }

    /// <summary>
    /// Called before allocating on a thread that is not the owner: claims an unowned heap for the
    /// calling thread, or throws. Kept out of line so the owner's fast path is one compare.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ClaimForAllocation(HeapState* heap, string name)
    {
        int me = ThreadIdentity.Current;
        int owner = Volatile.Read(ref heap->OwnerThread);
        if (!TakeIfOwnerOrUnowned(heap, me, owner))
        {
            throw NotTheOwner(name, owner, me);
        }
    }

    /// <summary>
    /// True if thread <paramref name="me"/> may use the heap as its owner: it is the owner (on a platform
    /// that cannot report stacks, the id decides), or nobody was and it has just claimed the heap —
    /// recording its stack for the fast check and taking back frees handed over meanwhile.
    /// </summary>
    private static bool TakeIfOwnerOrUnowned(HeapState* heap, int me, int owner)
    {
        if (owner == me)
        {
            return true;
        }
        if (owner != 0 || Interlocked.CompareExchange(ref heap->OwnerThread, me, 0) != 0)
        {
            return false;
        }
        BecomeOwner(heap);
        DrainDelayedFrees(heap);
        return true;
    }

    /// <summary>The one refusal message, for the public APIs and the core's own slow-path check.</summary>
    internal static InvalidOperationException NotTheOwner(string name, int owner, int me) => new(
        $"{name} belongs to thread {owner}; thread {me} may free its blocks (they are handed to the owner) " +
        "but not allocate from it. Give each thread its own heap (CreateHeap), or have the owner call " +
        "ReleaseOwnership so that the next thread to use it takes it over.");

    /// <summary>Frees a block of <paramref name="heap"/> from any thread. On the owner this is
    /// <see cref="Free"/>; elsewhere a pool block is handed to the owner, a raw block freed at once.
    /// A free on an unowned heap claims it, as an allocation does. Out of line: the public Free
    /// calls it only off the owner thread, and inlined it would crowd the owner's fast path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void FreeFromAnyThread(HeapState* heap, void* p)
    {
        if (p == null)
        {
            return;
        }
        if (TakeIfOwnerOrUnowned(heap, ThreadIdentity.Current, Volatile.Read(ref heap->OwnerThread)))
        {
            Free(heap, p);
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

    /// <summary>Gives the heap up: the next thread to allocate from it (or free to it) becomes its owner.
    /// The static heap of a generated allocator starts this way.</summary>
    /// <exception cref="InvalidOperationException">An owner scope is still open: its unchecked calls would
    /// race with the next owner.</exception>
    public static void ReleaseOwnership(HeapState* heap)
    {
        if (heap->OwnedScopes != 0 && heap->OwnerThread == ThreadIdentity.Current)
        {
            throw new InvalidOperationException(
                $"Cannot give the heap up while {heap->OwnedScopes} owner scope(s) from Own() are open on this thread: dispose them first.");
        }
        ForgetOwner(heap);
    }

    /// <summary>
    /// Opens an owner scope: checks the thread rule once (claiming an unowned heap, or throwing), so that
    /// the scope's calls can skip it. A scope is a ref struct, so it cannot leave the thread's stack.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public static void OpenOwnedScope(HeapState* heap, string name)
    {
        if (!IsOwner(heap))
        {
            ClaimForAllocation(heap, name);
        }
        heap->OwnedScopes++;
    }

    /// <summary>Closes a scope from <see cref="OpenOwnedScope"/>.</summary>
    public static void CloseOwnedScope(HeapState* heap)
    {
        if (heap->OwnedScopes > 0 && heap->OwnerThread == ThreadIdentity.Current)
        {
            heap->OwnedScopes--;
        }
    }

    /// <summary>Makes the calling thread the heap's owner. The previous owner must have stopped using
    /// the heap (hand-over is the program's to synchronise, e.g. with the job system's own fences).</summary>
    public static void TakeOwnership(HeapState* heap)
    {
        BecomeOwner(heap);
        heap->OwnedScopes = 0; // the previous owner has stopped, scopes and all
        DrainDelayedFrees(heap);
    }
}
