// Cross-thread frees on 2 threads: the benchmark thread allocates 64-byte blocks and hands each
// to a consumer thread that frees it (a job system's typical shape). Ops are alloc+remote-free pairs.
using System;
using System.Runtime.InteropServices;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Pymalloc.Generated;

namespace Pymalloc.Benchmarks;

[BenchmarkCategory("CrossThread")]
public unsafe class CrossThreadBenchmarks
{
    private const int N = 10_000;
    private const int Ring = 1 << 12;
    private nint* _ring;
    private long _head, _tail;
    private Thread? _consumer;
    private volatile bool _stop;
    private delegate*<void*, void> _free;
    private static Heap<PymallocAllocator.Layout> s_heap;

    [GlobalSetup(Targets = new[] { nameof(Pymalloc) })]
    public void SetupPymalloc()
    {
        s_heap = PymallocAllocator.CreateHeap();
        Start(&PymallocRemoteFree);
    }

    [GlobalSetup(Targets = new[] { nameof(Mimalloc) })]
    public void SetupMimalloc() => Start(&MimallocFree);

    [GlobalSetup(Targets = new[] { nameof(Glibc) })]
    public void SetupGlibc() => Start(&GlibcFree);

    private static void PymallocRemoteFree(void* p) => s_heap.Free(p);
    private static void MimallocFree(void* p) => default(Benchmarks.Mimalloc).Free(p);
    private static void GlibcFree(void* p) => NativeMemory.Free(p);

    private void Start(delegate*<void*, void> free)
    {
        _free = free;
        _ring = (nint*)NativeMemory.AllocZeroed(Ring, (nuint)sizeof(nint));
        _consumer = new Thread(Consume) { IsBackground = true };
        _consumer.Start();
    }

    private void Consume()
    {
        var spin = new SpinWait();
        while (!_stop)
        {
            long head = _head;
            if (head == Volatile.Read(ref _tail))
            {
                spin.SpinOnce(-1);
                continue;
            }
            spin.Reset();
            _free((void*)_ring[head & (Ring - 1)]);
            Volatile.Write(ref _head, head + 1);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _consumer?.Join();
        NativeMemory.Free(_ring);
    }

    private void Run<T>() where T : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < N; i++)
        {
            var p = (long*)default(T).Malloc(64);
            *p = i;
            long tail = _tail;
            while (tail - Volatile.Read(ref _head) >= Ring)
            {
                Thread.SpinWait(4);
            }
            _ring[tail & (Ring - 1)] = (nint)p;
            Volatile.Write(ref _tail, tail + 1);
        }
        while (Volatile.Read(ref _head) != _tail)
        {
            Thread.SpinWait(4);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Pymalloc()
    {
        s_heap.TakeOwnership(); // setup may run on another thread than the measured loop (in-process runs)
        Run<HeapAllocator>();
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Mimalloc() => Run<Mimalloc>();

    [Benchmark(OperationsPerInvoke = N)]
    public void Glibc() => Run<Glibc>();

    /// <summary>The benchmark thread's heap (it takes ownership at the start of each invocation).</summary>
    private readonly struct HeapAllocator : IUnmanagedAllocator
    {
        public void* Malloc(nuint size) => s_heap.Malloc(size);
        public void* Calloc(nuint count, nuint size) => s_heap.Calloc(count, size);
        public void* Realloc(void* ptr, nuint size) => s_heap.Realloc(ptr, size);
        public void Free(void* ptr) => s_heap.Free(ptr);
    }
}
