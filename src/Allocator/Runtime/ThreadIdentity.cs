// Who the calling thread is, cheaply. Every public call checks the heap's owner, so the check must
// cost next to nothing:
// - the owner's stack range: a live thread's stack belongs to it alone, so "the address of a local
//   lies in the owner's stack" identifies the owner with one subtraction and one compare, and no
//   thread-local read (on Linux a [ThreadStatic] read is a call into the runtime, about 2 ns, paid on
//   every allocation and free of a batch). The range is read once per thread from the OS
//   (pthread_getattr_np, GetCurrentThreadStackLimits, pthread_get_stack*_np);
// - the managed thread id, cached in a thread-static field (Environment.CurrentManagedThreadId is a
//   3.5 ns call), for the slow paths and where the OS cannot say where the stack is.
// A stack range is reused only after its thread has exited: a thread that inherits a dead owner's
// stack passes the fast check, which cannot race with anyone, and the heap's error messages still
// name the owner by id.
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

internal static unsafe class ThreadIdentity
{
    [ThreadStatic]
    private static int t_id;

    [ThreadStatic]
    private static nuint t_stackLow;

    [ThreadStatic]
    private static nuint t_stackSize;

    /// <summary>The calling thread's managed id (never 0: ids start at 1).</summary>
    public static int Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int id = t_id;
            return id != 0 ? id : ReadOnce();
        }
    }

    /// <summary>The lowest address and size of the calling thread's stack; (0, 0) where the OS cannot tell.</summary>
    public static (nuint Low, nuint Size) Stack
    {
        get
        {
            _ = Current; // reads the stack range along with the id, once per thread
            return (t_stackLow, t_stackSize);
        }
    }

    /// <summary>True if the caller runs on the stack [low, low + size): the owner check's fast half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool OnStack(nuint low, nuint size)
    {
        // Only the probe's address matters, never its value: never assigned (C# lets an unassigned
        // local's address be taken) and not zeroed (this assembly skips locals' zero-init), it costs
        // no store where the check is inlined.
        byte probe;
        return (nuint)(&probe) - low < size;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ReadOnce()
    {
        if (!TryReadStack(out nuint low, out nuint size))
        {
            low = size = 0;
        }
        t_stackLow = low;
        t_stackSize = size;
        return t_id = Environment.CurrentManagedThreadId;
    }

    private static bool TryReadStack(out nuint low, out nuint size)
    {
        low = size = 0;
        try
        {
            if (Platform.IsLinux)
            {
                byte* attr = stackalloc byte[256]; // pthread_attr_t is 56 bytes on x64/arm64 glibc, 36 on musl
                if (Linux.pthread_getattr_np(Linux.pthread_self(), attr) != 0)
                {
                    return false;
                }
                void* address;
                nuint bytes;
                int failed = Linux.pthread_attr_getstack(attr, &address, &bytes);
                Linux.pthread_attr_destroy(attr);
                (low, size) = ((nuint)address, bytes);
                return failed == 0 && bytes != 0;
            }
            if (Platform.IsWindows)
            {
                Windows.GetCurrentThreadStackLimits(out nuint l, out nuint h);
                (low, size) = (l, h - l);
                return h > l;
            }
            if (Platform.IsMacOS)
            {
                nint self = MacOS.pthread_self();
                nuint top = (nuint)MacOS.pthread_get_stackaddr_np(self);
                nuint bytes = MacOS.pthread_get_stacksize_np(self);
                (low, size) = (top - bytes, bytes);
                return bytes != 0 && top > bytes;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No way to ask: every check takes the id path.
        }
        return false;
    }

    private static class Linux
    {
        [DllImport("libc", ExactSpelling = true)]
        public static extern nint pthread_self();

        [DllImport("libc", ExactSpelling = true)]
        public static extern int pthread_getattr_np(nint thread, void* attr);

        [DllImport("libc", ExactSpelling = true)]
        public static extern int pthread_attr_getstack(void* attr, void** address, nuint* size);

        [DllImport("libc", ExactSpelling = true)]
        public static extern int pthread_attr_destroy(void* attr);
    }

    private static class Windows
    {
        [DllImport("kernel32", ExactSpelling = true)]
        public static extern void GetCurrentThreadStackLimits(out nuint low, out nuint high);
    }

    private static class MacOS
    {
        [DllImport("/usr/lib/libSystem.dylib", ExactSpelling = true)]
        public static extern nint pthread_self();

        [DllImport("/usr/lib/libSystem.dylib", ExactSpelling = true)]
        public static extern void* pthread_get_stackaddr_np(nint thread);

        [DllImport("/usr/lib/libSystem.dylib", ExactSpelling = true)]
        public static extern nuint pthread_get_stacksize_np(nint thread);
    }
}
