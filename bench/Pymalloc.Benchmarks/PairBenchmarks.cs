// Alloc+free pairs of one size: the fastest path of every allocator (a block popped and pushed back).
using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Pymalloc.Benchmarks;

[BenchmarkCategory("Pairs")]
public unsafe class PairBenchmarks
{
    private const int N = 1000;

    [Params(16, 32, 64, 128, 256, 512)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => Generated.AdoptHeaps();

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Pymalloc() => Workloads.Pairs<Generated>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocOwned() => Workloads.Pairs<GeneratedOwned>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocUnchecked() => Workloads.Pairs<GeneratedUnchecked>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void PymallocRuntime() => Workloads.Pairs<RuntimeConfigured>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void CPython() => Workloads.Pairs<CPython>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void Mimalloc() => Workloads.Pairs<Mimalloc>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void Jemalloc() => Workloads.Pairs<Jemalloc>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void Glibc() => Workloads.Pairs<Glibc>((nuint)Size, N);

    [Benchmark(OperationsPerInvoke = N)]
    public void GcClass()
    {
        for (int i = 0; i < N; i++)
        {
            Workloads.Consume(GcObjects.New(Size, i));
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void GcByteArray()
    {
        for (int i = 0; i < N; i++)
        {
            var a = new byte[Size];
            a[0] = (byte)i;
            Workloads.Consume(a);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void ArrayPoolShared()
    {
        for (int i = 0; i < N; i++)
        {
            byte[] a = ArrayPool<byte>.Shared.Rent(Size);
            a[0] = (byte)i;
            ArrayPool<byte>.Shared.Return(a);
        }
    }
}
