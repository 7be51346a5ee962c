// Heaps and threads: the owner allocates and frees lock-free; other threads free through
// FreeFromAnyThread, and the owner gets those blocks back; allocating on another thread is a
// checked error; ownership can be handed over.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Xunit;
using T = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

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
                heap.FreeFromAnyThread((void*)p);
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
                        heaps[other].FreeFromAnyThread((void*)b.P);
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
                    heaps[other].FreeFromAnyThread((void*)b.P);
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
        Exception? error = null;
        var other = new Thread(() =>
        {
            try
            {
                heap.Malloc(32); // the heap has no pool yet: the slow path checks the owner
            }
            catch (InvalidOperationException e)
            {
                error = e;
            }
        });
        other.Start();
        other.Join();
        Assert.NotNull(error);
        Assert.Contains("owned by thread", error!.Message);
        heap.Validate();
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
