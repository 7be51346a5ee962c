// TraceReplay: replays a recorded CPython allocation trace through Pymalloc.NET's generated
// allocator and prints the statistics CPython printed for the same trace. stdout carries only the
// statistics (diff it against <trace>.aligned.stats.txt); progress and timings go to stderr.
using System;
using System.Diagnostics;
using System.IO;
using Pymalloc;
using Pymalloc.Generated;
using Pymalloc.Traces;

// The CPython 3.11 layout on 64-bit: every property left at its default.
[assembly: PymallocConfig]

string? arenasFile = null;
var rest = new System.Collections.Generic.List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--arenas" && i + 1 < args.Length)
    {
        arenasFile = args[++i];
    }
    else
    {
        rest.Add(args[i]);
    }
}
if (rest.Count != 1 || rest[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: TraceReplay <trace.gz | trace> [--arenas <trace>.arenas.txt]");
    Console.Error.WriteLine("Replays a pymalloc-trace v1 file and prints _PyObject_DebugMallocStats' text.");
    Console.Error.WriteLine("--arenas places the k-th arena at CPython's recorded address % POOL_SIZE and checks");
    Console.Error.WriteLine("that arenas are mapped and released during the same operations as in CPython.");
    return rest.Count == 1 ? 0 : 2;
}

string path = rest[0];
if (!File.Exists(path))
{
    Console.Error.WriteLine($"TraceReplay: no such file: {path}");
    return 2;
}

var clock = Stopwatch.StartNew();
AllocationTrace trace;
try
{
    trace = AllocationTrace.Load(path);
}
catch (Exception e) when (e is FormatException or InvalidDataException or IOException or OutOfMemoryException)
{
    Console.Error.WriteLine($"TraceReplay: cannot read {path}: {e.Message}");
    return 1;
}
TimeSpan loaded = clock.Elapsed;
Console.Error.WriteLine($"loaded {trace.Ops.Length:N0} ops in {loaded.TotalSeconds:F2} s");

ArenaPlacement? placement = null;
if (arenasFile is not null)
{
    try
    {
        placement = new ArenaPlacement(arenasFile, PymallocAllocator.Layout.PoolSize);
    }
    catch (Exception e) when (e is FormatException or IOException)
    {
        Console.Error.WriteLine($"TraceReplay: cannot read {arenasFile}: {e.Message}");
        return 1;
    }
    PymallocAllocator.SetArenaAllocator(placement.Allocator);
}

clock.Restart();
try
{
    unsafe
    {
        TraceReplayer.Replay<PymallocAllocator.Api>(trace, new nint[trace.MaxId], placement is null ? null : placement.OpIndex);
    }
}
catch (InvalidOperationException e)
{
    // A trace that frees an id that is not live, or reuses one that is: one line naming the op.
    Console.Error.WriteLine($"TraceReplay: {path}: {e.Message}");
    return 1;
}
TimeSpan replayed = clock.Elapsed;
int status = 0;
if (placement is not null)
{
    foreach (string problem in placement.Mismatches())
    {
        Console.Error.WriteLine("arena placement: " + problem);
        status = 1;
    }
    if (status == 0)
    {
        Console.Error.WriteLine($"arena placement: {placement.ExpectedArenas} arenas mapped and released during the same ops as in CPython");
    }
}
Console.Error.WriteLine($"replayed in {replayed.TotalMilliseconds:F0} ms ({replayed.TotalNanoseconds / trace.Ops.Length:F1} ns/op)");

using Stream stdout = Console.OpenStandardOutput();
using var writer = new StreamWriter(stdout) { NewLine = "\n" };
PymallocAllocator.WriteDebugMallocStats(writer);
return status;
