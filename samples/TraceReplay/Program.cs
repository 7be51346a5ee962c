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

if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: TraceReplay <trace.gz | trace>");
    Console.Error.WriteLine("Replays a pymalloc-trace v1 file and prints _PyObject_DebugMallocStats' text.");
    return args.Length == 1 ? 0 : 2;
}

string path = args[0];
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
catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
{
    Console.Error.WriteLine($"TraceReplay: cannot read {path}: {e.Message}");
    return 1;
}
TimeSpan loaded = clock.Elapsed;
Console.Error.WriteLine($"loaded {trace.Ops.Length:N0} ops in {loaded.TotalSeconds:F2} s");

clock.Restart();
TraceReplayer.Replay<PymallocAllocator.Api>(trace);
TimeSpan replayed = clock.Elapsed;
Console.Error.WriteLine($"replayed in {replayed.TotalMilliseconds:F0} ms ({replayed.TotalNanoseconds / trace.Ops.Length:F1} ns/op)");

using Stream stdout = Console.OpenStandardOutput();
using var writer = new StreamWriter(stdout) { NewLine = "\n" };
PymallocAllocator.WriteDebugMallocStats(writer);
return 0;
