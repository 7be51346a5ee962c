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
    public static bool OnOwnerThread(HeapState* heap) => ThreadIdentity.OnStack(heap->OwnerStackLow, heap->OwnerStackSize);

    /// <summary>Records the calling thread as the owner: its id, then its stack (the fast check).</summary>
    private static void BecomeOwner(HeapState* heap)
    {
        (nuint low, nuint size) = ThreadIdentity.Stack;
        Volatile.Write(ref heap->OwnerThread, ThreadIdentity.Current);
        // Low cleared, then size, then low, each a release store (so ordered on ARM64 too): a reader
        // that sees a size with low 0 compares its stack address, far above any stack size, with the
        // size and fails — never a false "owner" from a half-written pair. (The fast check's own loads
        // are plain; on ARM64 a reader racing a forced take-over could still pair two owners' fields,
        // which the take-over's contract — the old owner has stopped — already rules out.)
        Volatile.Write(ref heap->OwnerStackLow, (nuint)0);
        Volatile.Write(ref heap->OwnerStackSize, size);
        Volatile.Write(ref heap->OwnerStackLow, low);
    }

    /// <summary>Forgets the owner: the stack first, so that no check passes once the id is cleared.</summary>
    private static void ForgetOwner(HeapState* heap)
    {
        Volatile.Write(ref heap->OwnerStackLow, (nuint)0);
        Volatile.Write(ref heap->OwnerStackSize, (nuint)0);
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

    /// <summary>
    /// Before a walk of the whole heap (statistics, validation) on the calling thread: the owner may walk
    /// at any time; on an unowned heap the caller holds it for the walk (so no thread starts allocating
    /// under it); on a heap another thread owns — which may be allocating — the walk could only read
    /// half-done updates, so it is refused. Returns whether the heap was claimed: pass it to <see cref="EndSnapshot"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public static bool BeginSnapshot(HeapState* heap, string name)
    {
        if (!default(TLayout).ChecksOwner || OnOwnerThread(heap))
        {
            return false;
        }
        int me = ThreadIdentity.Current, owner = Volatile.Read(ref heap->OwnerThread);
        if (owner == me)
        {
            return false;
        }
        if (owner == 0 && Interlocked.CompareExchange(ref heap->OwnerThread, me, 0) == 0)
        {
            return true;
        }
        throw new InvalidOperationException(
            $"{name} belongs to thread {owner}, which may be allocating: thread {me} cannot read a consistent snapshot of it. " +
            "Take statistics on the owner thread (a meter's figures may be read from any thread).");
    }

    /// <summary>Ends a walk started with <see cref="BeginSnapshot"/>: an unowned heap the walk held is unowned again.</summary>
    public static void EndSnapshot(HeapState* heap, bool claimed)
    {
        if (claimed)
        {
            Volatile.Write(ref heap->OwnerThread, 0);
        }
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
        // Pool and raw blocks alike (raw blocks are at least 16 bytes): the owner's set of raw blocks
        // is the owner's to change, so it frees them when it drains.
        HeapRegistry.Push(heap, p);
    }

    /// <summary>On the owner thread: frees every block other threads handed over.</summary>
    public static void DrainDelayedFrees(HeapState* heap)
    {
        nint list = Interlocked.Exchange(ref heap->DelayedFrees, (nint)0);
        HeapCorruptionException? refused = null;
        while (list != 0)
        {
            var p = (void*)list;
            list = *(nint*)p;
            if (heap->Recorder != 0)
            {
                // Recorded when pymalloc frees it, not when the other thread handed it over: the
                // trace's order is the order the heap saw.
                TraceRecorder.Drained(heap->Recorder, p);
            }
            if (!default(TLayout).Hardened)
            {
                Free(heap, p);
                continue;
            }
            try
            {
                Free(heap, p);
            }
            catch (HeapCorruptionException e)
            {
                // A wrong free from another thread, found here by the hardened checks: the other
                // frees still happen, and the first refusal is reported once they have.
                refused ??= e;
            }
        }
        if (refused is not null)
        {
            throw new HeapCorruptionException("A free handed over by another thread was refused: " + refused.Message, refused);
        }
    }

    /// <summary>Gives the heap up: the next thread to allocate from it (or free to it) becomes its owner.
    /// The static heap of a generated allocator starts this way.</summary>
    /// <exception cref="InvalidOperationException">An owner scope is still open: its unchecked calls would
    /// race with the next owner.</exception>
    public static void ReleaseOwnership(HeapState* heap)
    {
        int owner = Volatile.Read(ref heap->OwnerThread), me = ThreadIdentity.Current;
        if (default(TLayout).ChecksOwner && owner != 0 && owner != me)
        {
            // Only the owner knows it has stopped allocating; anyone else releasing would let a third
            // thread claim the heap while the owner is still inside a call.
            throw new InvalidOperationException(
                $"Only the owner gives a heap up: it belongs to thread {owner}, and thread {me} called ReleaseOwnership.");
        }
        if (heap->OpenOwnerScopes != 0)
        {
            throw new InvalidOperationException(
                $"Cannot give the heap up while {heap->OpenOwnerScopes} owner scope(s) from Own() are open on this thread: dispose them first.");
        }
        ForgetOwner(heap);
    }

    /// <summary>
    /// Disposes the heap a handle of generation <paramref name="generation"/> refers to, once: a second
    /// Dispose through any copy finds a newer generation and does nothing. The owner may dispose, or any
    /// thread once the heap is unowned (it claims it first, so no one else can start using it).
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap, or an owner scope is open.</exception>
    internal static void DisposeHeap(HeapState* heap, ulong generation, string name)
    {
        lock (Retired.Lock)
        {
            if (Volatile.Read(ref heap->Generation) != generation)
            {
                return;
            }
            int me = ThreadIdentity.Current, owner = Volatile.Read(ref heap->OwnerThread);
            if (default(TLayout).ChecksOwner && owner != me && (owner != 0 || Interlocked.CompareExchange(ref heap->OwnerThread, me, 0) != 0))
            {
                throw new InvalidOperationException(
                    $"{name} belongs to thread {owner}, which may be using it; thread {me} cannot dispose it. " +
                    "Dispose it on the owner, have the owner call ReleaseOwnership first, or — if the owner has exited — TakeOwnership first.");
            }
            if (heap->OpenOwnerScopes != 0)
            {
                throw new InvalidOperationException("Cannot dispose the heap while an owner scope from Own() is open: dispose the scope first.");
            }
            DestroyHeap(heap);
        }
    }

    /// <summary>
    /// Opens an owner scope: checks the thread rule once (claiming an unowned heap, or throwing), so that
    /// the scope's calls can skip it. A scope is a ref struct, so it cannot leave the thread's stack.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread owns the heap.</exception>
    public static void OpenOwnerScope(HeapState* heap, string name)
    {
        if (!OnOwnerThread(heap))
        {
            ClaimForAllocation(heap, name);
        }
        heap->OpenOwnerScopes++;
    }

    /// <summary>Closes a scope from <see cref="OpenOwnerScope"/>.</summary>
    public static void CloseOwnerScope(HeapState* heap)
    {
        if (heap->OpenOwnerScopes > 0 && heap->OwnerThread == ThreadIdentity.Current)
        {
            heap->OpenOwnerScopes--;
        }
    }

    /// <summary>Makes the calling thread the heap's owner. The previous owner must have stopped using
    /// the heap (hand-over is the program's to synchronise, e.g. with the job system's own fences).</summary>
    public static void TakeOwnership(HeapState* heap)
    {
        int owner = Volatile.Read(ref heap->OwnerThread), me = ThreadIdentity.Current;
        if (owner != me && heap->OpenOwnerScopes != 0)
        {
            // The scope's calls skip the owner check: taking the heap now would race with them.
            throw new InvalidOperationException(
                $"Cannot take the heap over while thread {owner} has an owner scope from Own() open on it.");
        }
        BecomeOwner(heap); // the owner's own scopes, if it takes its heap again, stay counted
        DrainDelayedFrees(heap);
    }
}
