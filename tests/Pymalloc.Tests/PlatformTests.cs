// 32-bit processes are refused before any heap exists, with the reason, never run into silent
// corruption. The test pretends to be 32-bit on a thread of its own (Platform's test hook).
using System;
using Pymalloc.Runtime;
using CsCheck;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

public sealed unsafe partial class PlatformTests
{
    /// <summary>Used by nothing but the 32-bit test: its static heap is first created there. Private,
    /// so that nothing else (the registry, pymalloc inspect) initialises it first.</summary>
    [PymallocConfig]
    private static partial class ThirtyTwoBitProbe
    {
    }

    private static Exception? As32Bit(Action action) => OtherThread.Run(() =>
    {
        Platform.t_pointerSizeForTests = 4;
        action();
    });

    [Fact]
    public void A32BitProcessGetsPlatformNotSupportedOnItsFirstHeap()
    {
        Exception? e = As32Bit(() => Heap<L>.Create());
        var refused = Assert.IsType<PlatformNotSupportedException>(e);
        Assert.Contains("needs a 64-bit process, and this one is 32-bit", refused.Message);
        Assert.Contains("ARM64", refused.Message);

        Assert.IsType<PlatformNotSupportedException>(As32Bit(() => DebugHeap<L>.Create()));
    }

    [Fact]
    public void A32BitProcessIsRefusedByTheStaticApiBeforeAnyBlockIsServed()
    {
        // The static heap is created by the class's initializer: the refusal comes wrapped in the
        // TypeInitializationException the runtime raises for any initializer, with the reason inside.
        Exception? e = As32Bit(() => ThirtyTwoBitProbe.Malloc(16));
        var init = Assert.IsType<TypeInitializationException>(e);
        Assert.IsType<PlatformNotSupportedException>(init.InnerException);
    }

    [Fact]
    public void A64BitProcessIsAccepted()
    {
        Assert.Equal(8, IntPtr.Size);
        Assert.Null(OtherThread.Run(() =>
        {
            using Heap<L> heap = Heap<L>.Create();
            heap.Free(heap.Malloc(16));
        }));
    }
}

/// <summary>What Platform.cs writes by hand for netstandard2.1, checked against the BCL's own.</summary>
public sealed class PlatformArithmeticTests
{
    [Fact]
    public void MultiplyHighAgreesWithMathBigMul()
    {
        Gen.Select(Gen.ULong, Gen.ULong).Sample((a, b) =>
            Platform.MultiplyHighPortable(a, b) == Math.BigMul(a, b, out _));
        Assert.Equal(ulong.MaxValue - 1, Platform.MultiplyHighPortable(ulong.MaxValue, ulong.MaxValue));
    }

    [Fact]
    public void RoundUpToPowerOf2AgreesWithBitOperations()
    {
        Gen.ULong[0, 1UL << 63].Sample(v =>
            Platform.RoundUpToPowerOf2Portable(v) == System.Numerics.BitOperations.RoundUpToPowerOf2(v));
    }
}
