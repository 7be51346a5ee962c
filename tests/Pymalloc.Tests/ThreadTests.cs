// Heaps and threads: the owner allocates and frees lock-free; other threads' frees are handed to
// the owner, which gets those blocks back; allocating on another thread is a checked error, on the
// fast path too; ownership can be released, taken, or handed over; debug heaps serialise any thread.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Xunit;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

/// <summary>An allocator whose static heap only the thread-rule test uses (the rule is per allocator).</summary>
[PymallocConfig(PoolSize = 4096, ArenaSize = 16384, SmallRequestThreshold = 256)]
internal static partial class ThreadRuleAllocator
{
}

public sealed unsafe class ThreadTests
{
    private static void Fill(byte* p, int size, byte value) => new Span<byte>(p, size).Fill(value);

    private static bool Holds(byte* p, int size, byte value) => new Span<byte>(p, size).IndexOfAnyExcept(value) < 0;

    [Fact]
    public void AProducerAllocatesAndAConsumerThreadFrees()
    {
        Heap<T> heap = default;
        var queue = new BlockingCollection<(nint P, int Size, byte Fill)>(boundedCapacity: 4096);
        long verified = 0, bad = 0;
        var consumer = new Thread(() =>
        {
            foreach ((nint p, int size, byte fill) in queue.GetConsumingEnumerable())
            {
                if (!Holds((byte*)p, size, fill))
                {
                    Interlocked.Increment(ref bad);
                }
                verified++;
                heap.Free((void*)p);
            }
        });
        var producer = new Thread(() =>
        {
            heap = TinyArenas.CreateHeap(); // owned by the producer
            consumer.Start();
            var random = new Random(1);
            for (int i = 0; i < 200_000; i++)
            {
                int size = random.Next(1, 300);
                var p = (byte*)heap.Malloc((nuint)size);
                byte fill = (byte)i;
                Fill(p, size, fill);
                queue.Add(((nint)p, size, fill));
            }
            queue.CompleteAdding();
            consumer.Join();
            heap.DrainDelayedFrees();
            heap.Validate();
            MallocStats s = heap.GetStats();
            Assert.Equal(0UL, s.BlocksInUse);
            Assert.Equal(0L, s.RawAllocatedBlocks);
            // Memory freed by the consumer was reused: far fewer arenas than 200,000 blocks would need.
            Assert.True(s.ArenasHighwater < 200, $"{s.ArenasHighwater} arenas: delayed frees were not reused");
            heap.Dispose();
        });
        producer.Start();
        producer.Join();
        Assert.Equal(200_000, verified);
        Assert.Equal(0, bad);
    }

    [Fact]
    public void TwoThreadsExchangeBlocksBetweenTheirHeaps()
    {
        // Larson-style: each thread owns a heap, allocates, and frees half of its blocks itself and
        // half of the other thread's blocks through the other heap.
        const int Rounds = 50_000;
        var heaps = new Heap<T>[2];
        var inboxes = new[] { new ConcurrentQueue<(nint, int, byte)>(), new ConcurrentQueue<(nint, int, byte)>() };
        var ready = new Barrier(2);
        long bad = 0;
        var threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int me = t, other = 1 - t;
            threads[t] = new Thread(() =>
            {
                heaps[me] = TinyArenas.CreateHeap();
                ready.SignalAndWait();
                var random = new Random(me + 10);
                var mine = new List<(nint P, int Size, byte Fill)>();
                for (int i = 0; i < Rounds; i++)
                {
                    int size = random.Next(8, 250);
                    var p = (byte*)heaps[me].Malloc((nuint)size);
                    byte fill = (byte)(i * 3 + me);
                    Fill(p, size, fill);
                    if ((i & 1) == 0)
                    {
                        inboxes[other].Enqueue(((nint)p, size, fill)); // the other thread will free it
                    }
                    else
                    {
                        mine.Add(((nint)p, size, fill));
                    }
                    while (inboxes[me].TryDequeue(out (nint P, int Size, byte Fill) b))
                    {
                        if (!Holds((byte*)b.P, b.Size, b.Fill))
                        {
                            Interlocked.Increment(ref bad);
                        }
                        heaps[other].Free((void*)b.P);
                    }
                }
                foreach ((nint p, int size, byte fill) in mine)
                {
                    if (!Holds((byte*)p, size, fill))
                    {
                        Interlocked.Increment(ref bad);
                    }
                    heaps[me].Free((void*)p);
                }
                ready.SignalAndWait(); // both done allocating
                while (inboxes[me].TryDequeue(out (nint P, int Size, byte Fill) b))
                {
                    heaps[other].Free((void*)b.P);
                }
                ready.SignalAndWait(); // every cross free pushed
                heaps[me].DrainDelayedFrees();
                heaps[me].Validate();
                Assert.Equal(0UL, heaps[me].GetStats().BlocksInUse);
                ready.SignalAndWait();
                heaps[me].Dispose();
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
        Assert.Equal(0, bad);
    }

    [Fact]
    public void AllocatingOnAThreadThatDoesNotOwnTheHeapIsAnError()
    {
        using var heap = TinyArenas.CreateHeap();
        void* mine = heap.Malloc(32); // the pool now has free blocks: a foreign call would find them on the fast path
        foreach (Action call in new Action[]
        {
            () => heap.Malloc(32),
            () => heap.New<long>(),
            () => heap.Calloc(2, 16),
            () => heap.Realloc(mine, 48),
            () => heap.NewArray<int>(4),
            () => heap.Reset(),
            () => heap.DrainDelayedFrees(),
        })
        {
            Exception? error = OtherThread.Run(call);
            var refused = Assert.IsType<InvalidOperationException>(error);
            Assert.Contains($"This pymalloc heap belongs to thread {Environment.CurrentManagedThreadId}; thread ", refused.Message);
            Assert.Contains("may free its blocks", refused.Message);
        }
        heap.Validate();
        Assert.Equal(1UL, heap.GetStats().BlocksInUse); // nothing was allocated, moved or reset by the refused calls
        heap.Free(mine);
    }

    [Fact]
    public void APlainFreeOnAnotherThreadIsHandedToTheOwner()
    {
        using var heap = TinyArenas.CreateHeap();
        var blocks = new nint[1000];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)heap.Malloc(64);
        }
        void* raw = heap.Malloc(4000); // above the threshold: freed at once by the raw allocator
        Assert.Null(OtherThread.Run(() =>
        {
            foreach (nint p in blocks)
            {
                heap.Free((void*)p);
            }
            heap.Delete((byte*)raw);
        }));
        // The pools have not been touched by the other thread: the blocks wait on the delayed-free stack.
        Assert.Equal(1000UL, heap.GetStats().BlocksInUse);
        heap.Validate();
        heap.DrainDelayedFrees();
        MallocStats s = heap.GetStats();
        Assert.Equal(0UL, s.BlocksInUse);
        Assert.Equal(0L, s.RawAllocatedBlocks);
        heap.Validate();
    }

    [Fact]
    public void AReleasedHeapIsTakenByTheNextThreadToUseIt()
    {
        var heap = TinyArenas.CreateHeap();
        void* p = heap.Malloc(16);
        heap.ReleaseOwnership();
        int next = 0;
        Assert.Null(OtherThread.Run(() =>
        {
            next = Environment.CurrentManagedThreadId;
            heap.Free(p);          // claims the heap: a plain free, not a hand-over
            Assert.Equal(0UL, heap.GetStats().BlocksInUse);
            heap.Free(heap.Malloc(32));
        }));
        var refused = Assert.IsType<InvalidOperationException>(Record.Exception(() => heap.Malloc(16)));
        Assert.Contains($"belongs to thread {next};", refused.Message);
        heap.TakeOwnership(); // by force: the other thread has exited
        heap.Free(heap.Malloc(16));
        heap.Validate();
        heap.Dispose();
    }

    [Fact]
    public void TheStaticApiHasOneOwnerAndAcceptsFreesFromAnyThread()
    {
        var blocks = new List<nint>();
        int owner = 0;
        Assert.Null(OtherThread.Run(() =>
        {
            owner = Environment.CurrentManagedThreadId; // the first thread to allocate takes the static heap
            for (int i = 0; i < 500; i++)
            {
                blocks.Add((nint)ThreadRuleAllocator.Malloc(48));
            }
        }));
        // This thread is not the owner: it may free, but not allocate.
        var refused = Assert.IsType<InvalidOperationException>(Record.Exception(() => ThreadRuleAllocator.Malloc(48)));
        Assert.Contains($"ThreadRuleAllocator belongs to thread {owner}; thread {Environment.CurrentManagedThreadId}", refused.Message);
        Assert.Throws<InvalidOperationException>(() => ThreadRuleAllocator.New<long>());
        foreach (nint p in blocks)
        {
            ThreadRuleAllocator.Free((void*)p);
        }
        // Statistics are a walk of the whole heap: refused off the owner, which may be allocating.
        var snapshot = Assert.IsType<InvalidOperationException>(Record.Exception(() => ThreadRuleAllocator.GetStats()));
        Assert.Contains("cannot read a consistent snapshot", snapshot.Message);
        Assert.NotEqual((nint)0, ThreadRuleAllocator.State->DelayedFrees); // handed over, not yet taken back
        // The owner has exited: take the heap over; taking it drains what other threads handed over.
        ThreadRuleAllocator.TakeOwnership();
        Assert.Equal(0UL, ThreadRuleAllocator.GetStats().BlocksInUse);
        void* again = ThreadRuleAllocator.Malloc(48);
        Assert.Null(OtherThread.Run(() => ThreadRuleAllocator.Free(again)));
        Assert.Equal(1UL, ThreadRuleAllocator.GetStats().BlocksInUse);
        ThreadRuleAllocator.DrainDelayedFrees();
        Assert.Equal(0UL, ThreadRuleAllocator.GetStats().BlocksInUse);
        ThreadRuleAllocator.ReleaseOwnership();
        Assert.Null(OtherThread.Run(() => ThreadRuleAllocator.Free(ThreadRuleAllocator.Malloc(100))));
        ThreadRuleAllocator.TakeOwnership(); // that thread took the heap and exited
        ThreadRuleAllocator.Validate();
    }

    [Fact]
    public void TheOwnerIsRecognisedByItsStackWithoutAThreadLocalRead()
    {
        using var heap = TinyArenas.CreateHeap();
        Pymalloc.Runtime.HeapState* state = heap.State;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            // The OS reported this thread's stack, so the fast check is in use, and a local lies in it.
            Assert.True(state->OwnerStackSize >= 64 * 1024, $"stack size {state->OwnerStackSize}");
            int local = 0;
            Assert.True((nuint)(&local) - state->OwnerStackLow < state->OwnerStackSize);
        }
        Assert.True(Pymalloc.Runtime.PymallocCore<T>.OnOwnerThread(state));
        bool elsewhere = true;
        Assert.Null(OtherThread.Run(() => elsewhere = Pymalloc.Runtime.PymallocCore<T>.OnOwnerThread(state)));
        Assert.False(elsewhere);
        heap.ReleaseOwnership();
        Assert.Equal(0UL, (ulong)state->OwnerStackSize);
        Assert.False(Pymalloc.Runtime.PymallocCore<T>.OnOwnerThread(state)); // released: nobody passes the fast check
        heap.TakeOwnership();
        Assert.True(Pymalloc.Runtime.PymallocCore<T>.OnOwnerThread(state));
    }

    [Fact]
    public void AnOwnerScopeChecksOnceAndHoldsTheHeapUntilDisposed()
    {
        using var heap = TinyArenas.CreateHeap();
        using (Heap<T>.OwnerScope owned = heap.Own())
        {
            var blocks = new List<nint>();
            for (int i = 0; i < 1000; i++)
            {
                blocks.Add((nint)owned.Malloc((nuint)(i % 200 + 1)));
            }
            long* value = owned.New<long>();
            *value = 42;
            Assert.Equal(1001UL, heap.GetStats().BlocksInUse);
            // While the scope is open the owner cannot give the heap up: its unchecked calls would race.
            var refused = Assert.Throws<InvalidOperationException>(() => heap.ReleaseOwnership());
            Assert.Contains("owner scope(s) from Own() are open", refused.Message);
            // Another thread cannot open a scope on a heap it does not own.
            Assert.IsType<InvalidOperationException>(OtherThread.Run(() => heap.Own().Dispose()));
            foreach (nint p in blocks)
            {
                owned.Free((void*)p);
            }
            owned.Delete(value);
        }
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
        heap.ReleaseOwnership(); // the scope is closed: now it may
        Assert.Null(OtherThread.Run(() =>
        {
            using Heap<T>.OwnerScope owned = heap.Own(); // the released heap is claimed by the scope
            owned.Free(owned.Malloc(64));
        }));
        heap.TakeOwnership();
        heap.Validate();
    }

    [Fact]
    public void TheStaticApiOpensOwnerScopesToo()
    {
        ThreadRuleAllocator.TakeOwnership(); // this class's tests run one at a time; the last may have run elsewhere
        using (ThreadRuleAllocator.OwnerScope owned = ThreadRuleAllocator.Own())
        {
            byte* p = (byte*)owned.Malloc(100);
            p[99] = 1;
            Assert.True(ThreadRuleAllocator.Contains(p));
            Assert.Throws<InvalidOperationException>(() => ThreadRuleAllocator.ReleaseOwnership());
            Exception? other = OtherThread.Run(() => ThreadRuleAllocator.Own().Dispose());
            Assert.Contains("ThreadRuleAllocator belongs to thread", Assert.IsType<InvalidOperationException>(other).Message);
            owned.Free(p);
        }
        ThreadRuleAllocator.ReleaseOwnership();
        ThreadRuleAllocator.Validate();
    }

    [Fact]
    public void ADebugHeapServesManyThreadsOneAtATime()
    {
        using var heap = DebugHeap<T>.Create("shared debug heap");
        long bad = 0;
        var threads = new List<Thread>();
        for (int t = 0; t < 4; t++)
        {
            int seed = t;
            threads.Add(new Thread(() =>
            {
                var random = new Random(seed);
                var live = new List<(nint P, int Size, byte Fill)>();
                for (int i = 0; i < 20_000; i++)
                {
                    if (live.Count > 0 && random.Next(2) == 0)
                    {
                        int k = random.Next(live.Count);
                        (nint p, int size, byte fill) = live[k];
                        live[k] = live[^1];
                        live.RemoveAt(live.Count - 1);
                        if (!Holds((byte*)p, size, fill))
                        {
                            Interlocked.Increment(ref bad);
                        }
                        heap.Free((void*)p);
                    }
                    else
                    {
                        int size = random.Next(1, 600);
                        var p = (byte*)heap.Malloc((nuint)size);
                        Fill(p, size, (byte)(seed + 1));
                        live.Add(((nint)p, size, (byte)(seed + 1)));
                    }
                }
                foreach ((nint p, _, _) in live)
                {
                    heap.Free((void*)p);
                }
            }));
        }
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(0, bad);
        heap.CheckHeap();
        Assert.Equal(0UL, heap.GetStats().BlocksInUse);
    }

    [Fact]
    public void OwnershipCanBeHandedOver()
    {
        var heap = TinyArenas.CreateHeap();
        void* first = heap.Malloc(32);
        var next = new Thread(() =>
        {
            heap.TakeOwnership();
            heap.Free(first);
            for (int i = 0; i < 1000; i++)
            {
                heap.Free(heap.Malloc(64));
            }
            heap.Validate();
            heap.Dispose();
        });
        next.Start();
        next.Join();
    }
}
