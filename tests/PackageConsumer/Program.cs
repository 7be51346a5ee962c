// What a user writes after `dotnet add package Pymalloc.NET`: the attribute, then the generated
// allocator. Every check prints what it found; the exit code is the number of failures.
using System;
using System.Threading;
using Pymalloc;
using Pymalloc.Generated;

[assembly: PymallocConfig]

int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    failures += ok ? 0 : 1;
}

unsafe
{
    // The static API with the CPython 3.11 layout.
    Check(PymallocAllocator.Layout.PoolSize == 16384 && PymallocAllocator.Layout.ArenaSize == 1048576, "generated layout constants (16 KiB pools, 1 MiB arenas)");
    byte* small = (byte*)PymallocAllocator.Malloc(40);
    Check(small != null && PymallocAllocator.Contains(small) && (nuint)small % 16 == 0, "Malloc(40) is a 16-byte-aligned pool block");
    byte* big = (byte*)PymallocAllocator.Malloc(4096);
    Check(big != null && !PymallocAllocator.Contains(big), "Malloc(4096) comes from the raw allocator");
    Vector3* v = PymallocAllocator.New<Vector3>();
    v->X = 1; v->Y = 2; v->Z = 3;
    Check(v->X + v->Y + v->Z == 6, "New<Vector3>() gives a usable object");
    Check(PymallocAllocator.GetStats().BlocksInUse == 2, "statistics count the two pool blocks");
    PymallocAllocator.Delete(v);
    PymallocAllocator.Free(small);
    PymallocAllocator.Free(big);
    Check(PymallocAllocator.GetStats().BlocksInUse == 0, "every block freed");

    // A second allocator with its own layout, and a heap instance.
    Check(ParticleHeap.Layout.Alignment == 8 && ParticleHeap.Layout.SmallRequestThreshold == 128, "a named allocator with its own layout");
    using (Heap<ParticleHeap.Layout> level = ParticleHeap.CreateHeap())
    {
        for (int i = 0; i < 10_000; i++)
        {
            level.New<Vector3>()->X = i;
        }
        Check(level.GetStats().BlocksInUse == 10_000, "a heap instance holds 10,000 objects");
        level.Reset();
        Check(level.GetStats().BlocksInUse == 0, "Reset frees them all at once");
    }

    // The thread rule: another thread may free, not allocate.
    byte* shared = (byte*)PymallocAllocator.Malloc(64);
    Exception? refused = null;
    var worker = new Thread(() =>
    {
        PymallocAllocator.Free(shared);
        try { PymallocAllocator.Malloc(64); } catch (InvalidOperationException e) { refused = e; }
    });
    worker.Start();
    worker.Join();
    Check(refused is not null, "another thread's allocation is refused with InvalidOperationException");
    PymallocAllocator.DrainDelayedFrees();
    Check(PymallocAllocator.GetStats().BlocksInUse == 0, "another thread's free reached the owner");
    // An owner scope: checked once, then the calls without the per-call check.
    using (PymallocAllocator.OwnerScope owned = PymallocAllocator.Own())
    {
        Vector3* w = owned.New<Vector3>();
        w->Z = 7;
        Check(w->Z == 7 && PymallocAllocator.Contains(w), "an owner scope allocates from the pools");
        owned.Delete(w);
    }
    PymallocAllocator.Validate();
}

Console.WriteLine(failures == 0 ? "consumer: ok" : $"consumer: {failures} failed");
return failures;

internal struct Vector3
{
    public float X, Y, Z;
}

[PymallocConfig(Preset = PymallocPreset.CPython27, SmallRequestThreshold = 128)]
internal static unsafe partial class ParticleHeap
{
}
