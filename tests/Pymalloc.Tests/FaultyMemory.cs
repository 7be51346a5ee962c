// Raw and arena allocators that fail on command, for failure-handling tests: each counts its
// calls and fails the ones a policy selects (the Nth, every Nth, or all from the Nth on).
using System;
using System.Runtime.InteropServices;

namespace Pymalloc.Tests;

/// <summary>Which calls fail. Lives in unmanaged memory: it is the allocators' context.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FaultPolicy
{
    public int Calls;        // calls so far
    public int FailFrom;     // calls numbered >= FailFrom fail (0: never)
    public int FailEvery;    // additionally, every FailEvery-th call fails (0: never)
    public int Failures;     // failures injected so far
    public int ArenasLive;   // arenas handed out and not yet returned

    public bool ShouldFail()
    {
        Calls++;
        bool fail = (FailFrom != 0 && Calls >= FailFrom) || (FailEvery != 0 && Calls % FailEvery == 0);
        if (fail)
        {
            Failures++;
        }
        return fail;
    }
}

internal static unsafe class FaultyMemory
{
    public static FaultPolicy* NewPolicy(int failFrom = 0, int failEvery = 0)
    {
        var p = (FaultPolicy*)NativeMemory.AllocZeroed((nuint)sizeof(FaultPolicy));
        p->FailFrom = failFrom;
        p->FailEvery = failEvery;
        return p;
    }

    public static RawAllocator Raw(FaultPolicy* policy) => new()
    {
        Context = policy,
        Malloc = &Malloc,
        Calloc = &Calloc,
        Realloc = &Realloc,
        Free = &Free,
    };

    public static ArenaAllocator Arenas(FaultPolicy* policy) => new()
    {
        Context = policy,
        Alloc = &ArenaAlloc,
        Free = &ArenaFree,
    };

    [UnmanagedCallersOnly]
    private static void* Malloc(void* ctx, nuint size) => ((FaultPolicy*)ctx)->ShouldFail() ? null : NativeMemory.Alloc(size == 0 ? 1 : size);

    [UnmanagedCallersOnly]
    private static void* Calloc(void* ctx, nuint count, nuint size) => ((FaultPolicy*)ctx)->ShouldFail() ? null : NativeMemory.AllocZeroed(Math.Max(count, 1), Math.Max(size, 1));

    [UnmanagedCallersOnly]
    private static void* Realloc(void* ctx, void* ptr, nuint size) => ((FaultPolicy*)ctx)->ShouldFail() ? null : NativeMemory.Realloc(ptr, size == 0 ? 1 : size);

    [UnmanagedCallersOnly]
    private static void Free(void* ctx, void* ptr) => NativeMemory.Free(ptr);

    [UnmanagedCallersOnly]
    private static void* ArenaAlloc(void* ctx, nuint size)
    {
        var policy = (FaultPolicy*)ctx;
        if (policy->ShouldFail())
        {
            return null;
        }
        policy->ArenasLive++;
        return NativeMemory.AlignedAlloc(size, 4096);
    }

    [UnmanagedCallersOnly]
    private static void ArenaFree(void* ctx, void* arena, nuint size)
    {
        ((FaultPolicy*)ctx)->ArenasLive--;
        NativeMemory.AlignedFree(arena);
    }
}
