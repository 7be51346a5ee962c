// aot-compare: the generated allocator (checked and unchecked threading), the same heap with its
// layout read from static fields at run time, CPython's pymalloc and mimalloc, each through the same
// generic loop, in alternating rounds in one process; prints the median ns/op of each and its ratio
// to the generated default. Run it on CoreCLR and as a NativeAOT binary (see the project file):
//   aot-compare [--rounds N] [TRACE.trace.gz ...]   (default: data/s0_small and ../shared/traces/*)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pymalloc;
using Pymalloc.Benchmarks;
using Pymalloc.Traces;

internal static unsafe class Program
{
    private const int BatchCount = 4096;

    private static int Main(string[] args)
    {
        int rounds = 7;
        var traces = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds")
            {
                rounds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                traces.Add(args[i]);
            }
        }
        if (traces.Count == 0)
        {
            traces.AddRange(DefaultTraces());
        }
        RuntimeLayout.Configure(4, 512);
        Generated.AdoptHeaps();
        Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}, {(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}; {rounds} rounds, medians");
        Console.WriteLine("| workload | generated (default) ns/op | unchecked | runtime-configured | CPython | mimalloc | runtime / generated | generated / CPython | generated / mimalloc |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (string path in traces)
        {
            AllocationTrace trace = AllocationTrace.Load(path);
            var live = new nint[trace.MaxId];
            double ops = trace.Ops.Length;
            Report(Path.GetFileName(path).Replace(".trace.gz", "", StringComparison.Ordinal), rounds, ops, new Dictionary<string, Action>
            {
                ["generated"] = () => TraceReplayer.Replay<Generated>(trace, live).FreeAll<Generated>(),
                ["unchecked"] = () => TraceReplayer.Replay<GeneratedUnchecked>(trace, live).FreeAll<GeneratedUnchecked>(),
                ["runtime"] = () => TraceReplayer.Replay<RuntimeConfigured>(trace, live).FreeAll<RuntimeConfigured>(),
                ["cpython"] = () => TraceReplayer.Replay<CPython>(trace, live).FreeAll<CPython>(),
                ["mimalloc"] = () => TraceReplayer.Replay<Mimalloc>(trace, live).FreeAll<Mimalloc>(),
            });
        }
        var slots = (void**)NativeMemory.Alloc(BatchCount, (nuint)sizeof(void*));
        int[] order = Enumerable.Range(0, BatchCount).OrderBy(i => (i * 2654435761u) % BatchCount).ToArray();
        foreach (nuint size in new nuint[] { 16, 64, 256, 512 })
        {
            Report($"batch {size} B", rounds, 2.0 * BatchCount * 64, new Dictionary<string, Action>
            {
                ["generated"] = () => Repeat(() => Workloads.Batch<Generated>(size, slots, order)),
                ["unchecked"] = () => Repeat(() => Workloads.Batch<GeneratedUnchecked>(size, slots, order)),
                ["runtime"] = () => Repeat(() => Workloads.Batch<RuntimeConfigured>(size, slots, order)),
                ["cpython"] = () => Repeat(() => Workloads.Batch<CPython>(size, slots, order)),
                ["mimalloc"] = () => Repeat(() => Workloads.Batch<Mimalloc>(size, slots, order)),
            });
        }
        NativeMemory.Free(slots);
        return 0;
    }

    private static void Repeat(Action batch)
    {
        for (int i = 0; i < 64; i++)
        {
            batch();
        }
    }

    private static void Report(string name, int rounds, double ops, Dictionary<string, Action> runs)
    {
        if (!CPython.Available)
        {
            runs.Remove("cpython");
        }
        if (!Mimalloc.Available)
        {
            runs.Remove("mimalloc");
        }
        foreach (Action run in runs.Values)
        {
            run();
            run();
        }
        var times = runs.Keys.ToDictionary(k => k, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            foreach ((string key, Action run) in runs)
            {
                long start = Stopwatch.GetTimestamp();
                run();
                times[key].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / ops);
            }
        }
        double Median(string key) => times.TryGetValue(key, out List<double>? t) ? t.Order().ElementAt(t.Count / 2) : double.NaN;
        static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        double g = Median("generated");
        Console.WriteLine($"| {name} | {F(g)} | {F(Median("unchecked"))} | {F(Median("runtime"))} | {F(Median("cpython"))} | {F(Median("mimalloc"))} | {F(Median("runtime") / g)} | {F(g / Median("cpython"))} | {F(g / Median("mimalloc"))} |");
    }

    private static IEnumerable<string> DefaultTraces()
    {
        string local = Path.Combine(AppContext.BaseDirectory, "data", "s0_small.trace.gz");
        if (File.Exists(local))
        {
            yield return local;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string shared = Path.Combine(dir.FullName, "..", "shared", "traces");
            if (File.Exists(Path.Combine(dir.FullName, "Pymalloc.sln")) && Directory.Exists(shared))
            {
                foreach (string t in Directory.GetFiles(shared, "*.trace.gz").Order(StringComparer.Ordinal).Where(f => !f.EndsWith("s0_small.trace.gz", StringComparison.Ordinal)))
                {
                    yield return t;
                }
                yield break;
            }
        }
    }
}
