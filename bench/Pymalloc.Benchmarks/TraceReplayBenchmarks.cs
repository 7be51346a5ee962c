// Replay of real CPython allocation traces, loaded into memory first, through each allocator with
// the same loop (id table, CPython's realloc rule for pymalloc, the raw allocator for the rest),
// then every surviving block freed. Reported per trace operation by the ns/op column.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Pymalloc.Traces;

namespace Pymalloc.Benchmarks;

[BenchmarkCategory("TraceReplay")]
public class TraceReplayBenchmarks
{
    private AllocationTrace _trace = null!;
    private nint[] _live = Array.Empty<nint>();

    /// <summary>The traces found: tests' s0_small, and every trace of the shared folder if present
    /// (PYMALLOC_TRACES, or ../shared/traces from the repository root).</summary>
    public static IEnumerable<string> Traces() => TraceFiles.All.Keys;

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "s0_small";

    [GlobalSetup]
    public void Setup()
    {
        Generated.AdoptHeaps();
        _trace = AllocationTrace.Load(TraceFiles.All[Trace]);
        _live = new nint[_trace.MaxId];
    }

    // Replays into the same id table every time: the loop allocates nothing managed.
    private void Run<T>() where T : struct, IUnmanagedAllocator => TraceReplayer.Replay<T>(_trace, _live).FreeAll<T>();

    [Benchmark(Baseline = true)]
    public void Pymalloc() => Run<Generated>();

    [Benchmark]
    public void PymallocOwned() => Run<GeneratedOwned>();

    [Benchmark]
    public void PymallocUnchecked() => Run<GeneratedUnchecked>();

    [Benchmark]
    public void PymallocHardened() => Run<GeneratedHardened>();

    [Benchmark]
    public void PymallocRuntime() => Run<RuntimeConfigured>();

    [Benchmark]
    public void CPython() => Run<CPython>();

    [Benchmark]
    public void Mimalloc() => Run<Mimalloc>();

    [Benchmark]
    public void Jemalloc() => Run<Jemalloc>();

    [Benchmark]
    public void Glibc() => Run<Glibc>();
}

/// <summary>Locates the trace files and knows their operation counts (for ns/op).</summary>
public static class TraceFiles
{
    public static readonly SortedDictionary<string, string> All = Find();

    private static readonly Dictionary<string, long> s_ops = new();

    private static SortedDictionary<string, string> Find()
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string local = Path.Combine(AppContext.BaseDirectory, "data", "s0_small.trace.gz");
        if (File.Exists(local))
        {
            found["s0_small"] = local;
        }
        string? shared = Environment.GetEnvironmentVariable("PYMALLOC_TRACES");
        if (shared is null)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Pymalloc.sln")))
                {
                    shared = Path.Combine(dir.FullName, "..", "shared", "traces");
                    break;
                }
            }
        }
        if (shared is not null && Directory.Exists(shared))
        {
            foreach (string file in Directory.GetFiles(shared, "*.trace.gz").Order(StringComparer.Ordinal))
            {
                found[Path.GetFileName(file)[..^".trace.gz".Length]] = file;
            }
        }
        return found;
    }

    /// <summary>Operations in a trace: its calls plus the frees of the blocks left at its end.</summary>
    public static long Operations(string name)
    {
        lock (s_ops)
        {
            if (!s_ops.TryGetValue(name, out long ops))
            {
                AllocationTrace t = AllocationTrace.Load(All[name]);
                long live = 0;
                var alive = new bool[t.MaxId];
                foreach (TraceOp op in t.Ops)
                {
                    switch (op.Kind)
                    {
                        case TraceOpKind.Free: alive[op.Id] = false; break;
                        case TraceOpKind.Realloc: alive[op.Id] = false; alive[op.NewId] = true; break;
                        case TraceOpKind.ReallocNull: alive[op.NewId] = true; break;
                        default: alive[op.Id] = true; break;
                    }
                }
                live = alive.Count(a => a);
                s_ops[name] = ops = t.Ops.Length + live;
            }
            return ops;
        }
    }
}
