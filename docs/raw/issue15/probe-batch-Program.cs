using System;
using System.Runtime.CompilerServices;
using Pymalloc;
using Pymalloc.Generated;
[assembly: PymallocConfig]
unsafe struct P64 { public fixed byte B[64]; }
static unsafe class Probe
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void BatchM(void** slots, int[] order, nuint size)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++) { var p = (long*)PymallocAllocator.Malloc(size); *p = i; slots[i] = p; }
        for (int i = 0; i < n; i++) PymallocAllocator.Free(slots[order[i]]);
    }
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void BatchN(void** slots, int[] order)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++) { var p = (long*)PymallocAllocator.New<P64>(); *p = i; slots[i] = p; }
        for (int i = 0; i < n; i++) PymallocAllocator.Free(slots[order[i]]);
    }
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void BatchC(void** slots, int[] order)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++) { var p = (long*)PymallocAllocator.Malloc((nuint)sizeof(P64)); *p = i; slots[i] = p; }
        for (int i = 0; i < n; i++) PymallocAllocator.Free(slots[order[i]]);
    }
    static void Main()
    {
        var slots = (void**)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1000, 8);
        var order = new int[1000]; for (int i = 0; i < 1000; i++) order[i] = i;
        for (int pass = 0; pass < 3; pass++)
        {
            System.Threading.Thread.Sleep(300);
            for (int r = 0; r < 2000; r++) { BatchM(slots, order, 64); BatchN(slots, order); BatchC(slots, order); }
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int k = 0; k < 5; k++)
        {
            sw.Restart(); for (int r = 0; r < 20000; r++) BatchM(slots, order, 64); double m = sw.Elapsed.TotalMilliseconds;
            sw.Restart(); for (int r = 0; r < 20000; r++) BatchN(slots, order); double nn = sw.Elapsed.TotalMilliseconds;
            sw.Restart(); for (int r = 0; r < 20000; r++) BatchC(slots, order); double c = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine($"Malloc(size) {m / 20000 / 1000 * 1e6:F2} ns/pair   New<P64> {nn / 20000 / 1000 * 1e6:F2} ns/pair   Malloc(sizeof(P64)) {c / 20000 / 1000 * 1e6:F2} ns/pair");
        }
    }
}
