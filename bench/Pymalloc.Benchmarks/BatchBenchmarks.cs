// 1,000 allocations of one size, then 1,000 frees in order, in reverse, or shuffled: a frame's
// worth of objects created and dropped together. Ops are alloc+free pairs.
using System;
using System.Buffers;
using System.Linq;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Pymalloc.Benchmarks;

public enum FreeOrder
{
    InOrder,
    Reverse,
    Shuffled,
}

[BenchmarkCategory("Batches")]
public unsafe class BatchBenchmarks
{
    private const int N = 1000;
    private void** _slots;
    private object?[] _objects = Array.Empty<object>();
    private byte[]?[] _arrays = Array.Empty<byte[]>();
    private int[] _order = Array.Empty<int>();

    [Params(16, 32, 64, 128, 256, 512)]
    public int Size { get; set; }

    [Params(FreeOrder.InOrder, FreeOrder.Reverse, FreeOrder.Shuffled)]
    public FreeOrder Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Generated.AdoptHeaps();
        _slots = (void**)NativeMemory.AllocZeroed(N, (nuint)sizeof(void*));
        _objects = new object?[N];
        _arrays = new byte[]?[N];
        _order = Order switch
        {
            FreeOrder.InOrder => Enumerable.Range(0, N).ToArray(),
            FreeOrder.Reverse => Enumerable.Range(0, N).Reverse().ToArray(),
            _ => Enumerable.Range(0, N).OrderBy(i => new Random(i * 7919 + 1).Next()).ToArray(),
        };
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.Free(_slots);

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Pymalloc() => Workloads.Batch<Generated>((nuint)Size, _slots, _order);

    /// <summary>The default allocator through <c>New&lt;T&gt;</c> of a <see cref="Size"/>-byte struct: one size
    /// class's generated path, chosen at JIT time.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocNew()
    {
        switch (Size)
        {
            case 16: Workloads.BatchNew<Block16>(_slots, _order); break;
            case 32: Workloads.BatchNew<Block32>(_slots, _order); break;
            case 64: Workloads.BatchNew<Block64>(_slots, _order); break;
            case 128: Workloads.BatchNew<Block128>(_slots, _order); break;
            case 256: Workloads.BatchNew<Block256>(_slots, _order); break;
            default: Workloads.BatchNew<Block512>(_slots, _order); break;
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocOwned() => Workloads.Batch<GeneratedOwned>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocUnchecked() => Workloads.Batch<GeneratedUnchecked>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocHardened() => Workloads.Batch<GeneratedHardened>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocRuntime() => Workloads.Batch<RuntimeConfigured>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void CPython() => Workloads.Batch<CPython>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void Mimalloc() => Workloads.Batch<Mimalloc>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void Jemalloc() => Workloads.Batch<Jemalloc>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void Glibc() => Workloads.Batch<Glibc>((nuint)Size, _slots, _order);

    [Benchmark(OperationsPerInvoke = N)]
    public void GcClass()
    {
        for (int i = 0; i < N; i++)
        {
            _objects[i] = GcObjects.New(Size, i);
        }
        for (int i = 0; i < N; i++)
        {
            _objects[_order[i]] = null;
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void ArrayPoolShared()
    {
        for (int i = 0; i < N; i++)
        {
            _arrays[i] = ArrayPool<byte>.Shared.Rent(Size);
        }
        for (int i = 0; i < N; i++)
        {
            ArrayPool<byte>.Shared.Return(_arrays[_order[i]]!);
        }
    }
}

// Structs of each benchmarked size, for PymallocNew: New<T> takes its size from sizeof(T).
[StructLayout(LayoutKind.Sequential, Size = 16)] internal struct Block16 { public long First; }
[StructLayout(LayoutKind.Sequential, Size = 32)] internal struct Block32 { public long First; }
[StructLayout(LayoutKind.Sequential, Size = 64)] internal struct Block64 { public long First; }
[StructLayout(LayoutKind.Sequential, Size = 128)] internal struct Block128 { public long First; }
[StructLayout(LayoutKind.Sequential, Size = 256)] internal struct Block256 { public long First; }
[StructLayout(LayoutKind.Sequential, Size = 512)] internal struct Block512 { public long First; }
