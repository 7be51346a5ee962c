// A random working set in steady state: 100,000 live objects of skewed sizes up to 512 bytes;
// each op frees a random one and allocates a replacement of another size, touching the memory.
using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Pymalloc.Benchmarks;

[BenchmarkCategory("WorkingSet")]
public unsafe class WorkingSetBenchmarks
{
    private const int Live = 100_000;
    private const int Steps = 100_000;
    private void** _live;
    private nuint* _sizes;
    private int[] _victims = Array.Empty<int>();
    private nuint[] _newSizes = Array.Empty<nuint>();
    private Action _free = () => { };

    [GlobalSetup(Targets = new[] { nameof(Pymalloc) })]
    public void SetupPymalloc() => Setup<Generated>();

    [GlobalSetup(Targets = new[] { nameof(PymallocRuntime) })]
    public void SetupRuntime() => Setup<RuntimeConfigured>();

    [GlobalSetup(Targets = new[] { nameof(CPython) })]
    public void SetupCPython() => Setup<CPython>();

    [GlobalSetup(Targets = new[] { nameof(Mimalloc) })]
    public void SetupMimalloc() => Setup<Mimalloc>();

    [GlobalSetup(Targets = new[] { nameof(Jemalloc) })]
    public void SetupJemalloc() => Setup<Jemalloc>();

    [GlobalSetup(Targets = new[] { nameof(Glibc) })]
    public void SetupGlibc() => Setup<Glibc>();

    private void Setup<T>() where T : struct, IUnmanagedAllocator
    {
        Generated.AdoptHeaps();
        _live = (void**)NativeMemory.AllocZeroed(Live, (nuint)sizeof(void*));
        _sizes = (nuint*)NativeMemory.AllocZeroed(Live, (nuint)sizeof(nuint));
        var random = new Random(42);
        _victims = new int[Steps];
        for (int i = 0; i < Steps; i++)
        {
            _victims[i] = random.Next(Live);
        }
        _newSizes = Workloads.SkewedSizes(Steps, 7);
        Workloads.Fill<T>(_live, _sizes, Workloads.SkewedSizes(Live, 3));
        _free = () => Workloads.FreeAll<T>(_live, Live);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _free();
        NativeMemory.Free(_live);
        NativeMemory.Free(_sizes);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps)]
    public void Pymalloc() => Workloads.Replace<Generated>(_live, _sizes, _victims, _newSizes);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void PymallocRuntime() => Workloads.Replace<RuntimeConfigured>(_live, _sizes, _victims, _newSizes);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void CPython() => Workloads.Replace<CPython>(_live, _sizes, _victims, _newSizes);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void Mimalloc() => Workloads.Replace<Mimalloc>(_live, _sizes, _victims, _newSizes);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void Jemalloc() => Workloads.Replace<Jemalloc>(_live, _sizes, _victims, _newSizes);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void Glibc() => Workloads.Replace<Glibc>(_live, _sizes, _victims, _newSizes);
}
