// Particles: run a small game-like simulation on Pymalloc.NET's generated allocator and show
// what the allocator did. `dotnet run --project samples/Particles -c Release [-- frames]`
using System;
using System.Diagnostics;
using Pymalloc;
using Pymalloc.Generated;
using Particles;
using Spectre.Console;

// The CPython 3.11 layout; see obj/generated/ for the code this attribute produces.
[assembly: PymallocConfig]

int frames = args.Length > 0 && int.TryParse(args[0], out int f) && f > 0 ? f : 3600;

AnsiConsole.MarkupLine($"[bold]Pymalloc.NET particles demo[/]: {frames:N0} frames at 60 Hz (one simulated minute per 3,600)");

using var simulation = new Simulation(maxParticles: 200_000, maxMessages: 10_000);
int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
long managed = 0;
var clock = new Stopwatch();
MallocStats? busiest = null;
int snapshotFrame = Math.Min(frames, 30 * 50 + 1); // just after a burst
RunFrames(0, snapshotFrame);
if (snapshotFrame < frames)
{
    busiest = PymallocAllocator.GetStats(); // outside the measured loop: statistics allocate
}
RunFrames(snapshotFrame, frames);
int[] collections = { GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2 };
MallocStats atEnd = PymallocAllocator.GetStats();

var summary = new Table().Title("What happened").AddColumn("").AddColumn(new TableColumn("value").RightAligned());
summary.AddRow("allocations", $"{simulation.Allocations:N0}");
summary.AddRow("frees", $"{simulation.Frees:N0}");
summary.AddRow("bytes requested", $"{simulation.BytesRequested:N0}");
summary.AddRow("peak live particles", $"{simulation.PeakParticles:N0}");
summary.AddRow("live at the end (particles + messages)", $"{simulation.LiveParticles + simulation.LiveMessages:N0}");
summary.AddRow("time in the frame loop", $"{clock.Elapsed.TotalMilliseconds:N0} ms");
summary.AddRow("per allocation+free, incl. simulation", $"{clock.Elapsed.TotalNanoseconds / Math.Max(1, simulation.Allocations):N1} ns");
summary.AddRow("managed bytes allocated in the loop", $"{managed:N0}");
summary.AddRow("GC collections in the loop (gen0/1/2)", $"{collections[0]}/{collections[1]}/{collections[2]}");
summary.AddRow("arenas mapped now / at most", $"{atEnd.ArenasAllocatedCurrent} / {atEnd.ArenasHighwater}");
summary.AddRow("arenas released back", $"{atEnd.ArenasReclaimed}");
AnsiConsole.Write(summary);

if (busiest is not null)
{
    var classes = new Table().Title("Size classes in use after a burst (frame 1,501)")
        .AddColumn("class").AddColumn("block").AddColumn("pools").AddColumn("blocks in use").AddColumn("free in those pools");
    foreach (SizeClassStats c in busiest.SizeClasses)
    {
        if (c.Pools != 0)
        {
            classes.AddRow($"{c.Index}", $"{c.BlockSize} B", $"{c.Pools}", $"{c.BlocksInUse:N0}", $"{c.AvailableBlocks:N0}");
        }
    }
    AnsiConsole.Write(classes);
}

AnsiConsole.MarkupLine("[bold]CPython's _PyObject_DebugMallocStats for the final state[/] (after the last frame, live objects still allocated):");
Console.Out.Write(atEnd.ToString());
return 0;

void RunFrames(int from, int to)
{
    long before = GC.GetAllocatedBytesForCurrentThread();
    clock.Start();
    for (int frame = from; frame < to; frame++)
    {
        simulation.Frame(frame);
    }
    clock.Stop();
    managed += GC.GetAllocatedBytesForCurrentThread() - before;
}
