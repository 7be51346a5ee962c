// What the runtime asks of the platform beyond the language, in one place: the operating system,
// a monotonic clock, a random key, 128-bit multiplication. On net8.0 each member is the BCL's own
// (folded or intrinsic); on netstandard2.1 (Unity, Mono, .NET Core 3) each is written here with
// what that standard offers. Nothing here is on a fast path except MultiplyHigh (hardened frees).
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

internal static class Platform
{
    // Tests pretend to be a 32-bit process on their own thread only (other tests run in parallel).
    [ThreadStatic]
    internal static int t_pointerSizeForTests;

    /// <summary>
    /// Refuses a 32-bit process before any heap exists, with the reason: every heap is created here
    /// first, so no 32-bit process ever reaches the pools (no silent corruption). The arena map is
    /// CPython's 64-bit radix tree (48-bit addresses, 32-bit arena tails), and CPython's 32-bit rules
    /// (ALIGNMENT 8, the arena map's 32-bit variant) are not implemented. Unity's 32-bit targets
    /// (armv7 Android, WebGL's wasm32) are therefore refused; ARM64 Android and every desktop and
    /// console player are 64-bit.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is 32-bit.</exception>
    public static void EnsureSupported()
    {
        int pointerSize = t_pointerSizeForTests != 0 ? t_pointerSizeForTests : IntPtr.Size;
        if (pointerSize != 8)
        {
            throw new PlatformNotSupportedException(
                $"Pymalloc.NET needs a 64-bit process, and this one is {pointerSize * 8}-bit: its arena map is CPython's 64-bit radix tree, " +
                "and CPython's 32-bit layout rules are not implemented. Build for a 64-bit target (Unity: ARM64 rather than ARMv7 on Android; WebGL is 32-bit and not supported).");
        }
    }

#if NET5_0_OR_GREATER
    public static bool IsLinux => OperatingSystem.IsLinux();

    public static bool IsMacOS => OperatingSystem.IsMacOS();

    public static bool IsWindows => OperatingSystem.IsWindows();

    /// <summary>Milliseconds of a monotonic clock.</summary>
    public static long TickCount64 => Environment.TickCount64;

    /// <summary>A random 64-bit value, for keys that must not be guessable from outside the process.</summary>
    public static ulong RandomUInt64() => (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);

    /// <summary>The high 64 bits of the 128-bit product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyHigh(ulong a, ulong b) => Math.BigMul(a, b, out _);

    /// <summary>The smallest power of two at or above <paramref name="value"/> (0 for 0).</summary>
    public static ulong RoundUpToPowerOf2(ulong value) => System.Numerics.BitOperations.RoundUpToPowerOf2(value);
#else
    private static readonly bool s_linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
    private static readonly bool s_macOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
    private static readonly bool s_windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public static bool IsLinux => s_linux;

    public static bool IsMacOS => s_macOS;

    public static bool IsWindows => s_windows;

    /// <summary>Milliseconds of a monotonic clock.</summary>
    public static long TickCount64 => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1000.0));

    /// <summary>A random 64-bit value, for keys that must not be guessable from outside the process.</summary>
    public static unsafe ulong RandomUInt64()
    {
        ulong value;
        using (var rng = System.Security.Cryptography.RandomNumberGenerator.Create())
        {
            rng.GetBytes(new Span<byte>(&value, sizeof(ulong)));
        }
        return value;
    }

    /// <summary>The high 64 bits of the 128-bit product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyHigh(ulong a, ulong b) => MultiplyHighPortable(a, b);

    /// <summary>The smallest power of two at or above <paramref name="value"/> (0 for 0).</summary>
    public static ulong RoundUpToPowerOf2(ulong value) => RoundUpToPowerOf2Portable(value);
#endif

    /// <summary>The high 64 bits of the 128-bit product, from four 32-bit products (netstandard2.1
    /// has no Math.BigMul overload for it; compiled on both assets so that the tests check it
    /// against Math.BigMul).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MultiplyHighPortable(ulong a, ulong b)
    {
        ulong aLow = (uint)a, aHigh = a >> 32, bLow = (uint)b, bHigh = b >> 32;
        ulong lowLow = aLow * bLow, highLow = aHigh * bLow, lowHigh = aLow * bHigh;
        ulong middle = (lowLow >> 32) + (uint)highLow + (uint)lowHigh;
        return aHigh * bHigh + (highLow >> 32) + (lowHigh >> 32) + (middle >> 32);
    }

    /// <summary>The smallest power of two at or above <paramref name="value"/> (0 for 0 and above
    /// 2^63), by smearing the highest set bit; checked against BitOperations by the tests.</summary>
    internal static ulong RoundUpToPowerOf2Portable(ulong value)
    {
        value--;
        value |= value >> 1;
        value |= value >> 2;
        value |= value >> 4;
        value |= value >> 8;
        value |= value >> 16;
        value |= value >> 32;
        return value + 1;
    }
}
