using System;
using System.Runtime.CompilerServices;
using Pymalloc;
using Pymalloc.Generated;
[assembly: PymallocConfig]
namespace Pymalloc.Generated { [PymallocConfig(Hardened = true)] static partial class HardAlloc { } }
unsafe struct P48 { public fixed byte B[48]; }
static unsafe class Probe
{
    [MethodImpl(MethodImplOptions.NoInlining)] static P48* NewP() => PymallocAllocator.New<P48>();
    [MethodImpl(MethodImplOptions.NoInlining)] static P48* NewH() => HardAlloc.New<P48>();
    [MethodImpl(MethodImplOptions.NoInlining)] static void* MallocV(nuint n) => PymallocAllocator.Malloc(n);
    static void Main()
    {
        var ps = new P48*[1000];
        for (int pass = 0; pass < 3; pass++) { System.Threading.Thread.Sleep(300);
        for (int r = 0; r < 300; r++)
        {
            for (int i = 0; i < 1000; i++) ps[i] = NewP();
            for (int i = 0; i < 1000; i++) PymallocAllocator.Free(ps[i]);
            for (int i = 0; i < 1000; i++) ps[i] = NewH();
            for (int i = 0; i < 1000; i++) HardAlloc.Free(ps[i]);
            for (int i = 0; i < 1000; i++) ps[i] = (P48*)MallocV((nuint)(i % 500 + 1));
            for (int i = 0; i < 1000; i++) PymallocAllocator.Free(ps[i]);
        }
        }
        Console.WriteLine("ok");
    }
}
