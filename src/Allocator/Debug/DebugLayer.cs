// Debug mode: CPython's PYMALLOC_DEBUG layer over a heap. Every block carries a header and a
// trailer, new memory is filled with CLEANBYTE, freed memory with DEADBYTE, and every free checks
// what it can: that the pointer is a live block of this allocator, allocated through the same API,
// with its guard bytes intact. A freed pool block is also marked, so that a write to it is found
// when the block is handed out again (or by CheckHeap), and a second free is recognised.
// Every call holds the DebugState's lock, so a debug heap may be used from any thread (one at a
// time): debug mode trades speed for checks, and its bookkeeping is managed.
//
// Block layout (S = 8, one more field than CPython's default: the serial number is always kept):
//   [0, S)        the size requested, big-endian
//   [S]           API id: 'o' for Malloc/Calloc/Realloc/Free, 't' for New/NewArray/ResizeArray/Delete
//   [S+1]         the allocator's tag (one per debug heap), so a block freed by another allocator is caught
//   [S+2, 2S)     FORBIDDENBYTE (0xFD) x 6
//   [2S, 2S+n)    the caller's n bytes: CLEANBYTE (0xCD) when new, DEADBYTE (0xDD) when freed
//   [2S+n, 3S+n)  FORBIDDENBYTE x 8
//   [3S+n, 4S+n)  serial number of the allocation, big-endian
using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>CPython's PYMALLOC_DEBUG hooks over <see cref="PymallocCore{TLayout}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class PymallocDebug<TLayout> where TLayout : struct, IPymallocLayout
{
    /// <summary>
    /// Serialises a call on the debug state. With the checked owner rule any thread may call, one at a
    /// time; with <see cref="PymallocThreading.Unchecked"/> the program promised one thread at a time, so a
    /// call that finds another thread inside is that promise broken, reported instead of waited for.
    /// </summary>
    private static Serialized Enter(DebugState state)
    {
        if (default(TLayout).ChecksOwner)
        {
            System.Threading.Monitor.Enter(state);
        }
        else if (!System.Threading.Monitor.TryEnter(state))
        {
            throw new InvalidOperationException(
                $"{state.Name} is configured with Threading = PymallocThreading.Unchecked (one thread at a time), " +
                $"but thread {Environment.CurrentManagedThreadId} called it while another thread's call was under way. " +
                "Give each thread its own heap (CreateHeap), order the calls, or use PymallocThreading.CheckedOwner.");
        }
        return new Serialized(state);
    }

    private readonly struct Serialized : IDisposable
    {
        private readonly DebugState _state;

        public Serialized(DebugState state) => _state = state;

        public void Dispose() => System.Threading.Monitor.Exit(_state);
    }

    /// <summary>Marks a heap as a debug heap: its blocks carry debug headers, so a free of one through
    /// another heap is reported instead of handed to it.</summary>
    public static void Attach(HeapState* heap) => heap->DebugBlocks = true;

    /// <summary><see cref="PymallocCore{TLayout}.GetStats"/>, ordered with the other calls.</summary>
    public static MallocStats GetStats(HeapState* heap, DebugState state)
    {
        using (Enter(state))
        {
            return PymallocCore<TLayout>.GetStats(heap);
        }
    }

    /// <summary><see cref="PymallocCore{TLayout}.Validate"/>, ordered with the other calls.</summary>
    public static void Validate(HeapState* heap, DebugState state)
    {
        using (Enter(state))
        {
            PymallocCore<TLayout>.Validate(heap);
        }
    }

    /// <summary><see cref="PymallocCore{TLayout}.TrimArenaCache"/>, ordered with the other calls.</summary>
    public static int TrimArenaCache(HeapState* heap, DebugState state)
    {
        using (Enter(state))
        {
            return PymallocCore<TLayout>.TrimArenaCache(heap);
        }
    }

    /// <summary>PYMEM_FORBIDDENBYTE: guard bytes around each block.</summary>
    public const byte ForbiddenByte = 0xFD;

    /// <summary>PYMEM_CLEANBYTE: fills new memory.</summary>
    public const byte CleanByte = 0xCD;

    /// <summary>PYMEM_DEADBYTE: fills freed memory.</summary>
    public const byte DeadByte = 0xDD;

    /// <summary>API id of Malloc/Calloc/Realloc/Free.</summary>
    public const byte ObjectApi = (byte)'o';

    /// <summary>API id of New/NewArray/ResizeArray/Delete.</summary>
    public const byte TypedApi = (byte)'t';

    private const int S = 8;
    private const int Extra = 4 * S;

    /// <summary>Allocates n bytes filled with CLEANBYTE.</summary>
    public static void* Malloc(HeapState* heap, DebugState state, nuint n, byte api)
    {
        using (Enter(state))
        {
            return Allocate(heap, state, n, api, zero: false);
        }
    }

    /// <summary>Allocates zeroed memory; null if the product overflows.</summary>
    public static void* Calloc(HeapState* heap, DebugState state, nuint count, nuint size, byte api)
    {
        if (size != 0 && count > PymallocCore<TLayout>.MaxRequest / size)
        {
            return null;
        }
        using (Enter(state))
        {
            return Allocate(heap, state, count * size, api, zero: true);
        }
    }

    /// <summary>Resizes by moving (a debug realloc always moves, so stale pointers show up); checks the old block first.</summary>
    public static void* Realloc(HeapState* heap, DebugState state, void* p, nuint n, byte api)
    {
        using (Enter(state))
        {
            return ReallocLocked(heap, state, p, n, api);
        }
    }

    private static void* ReallocLocked(HeapState* heap, DebugState state, void* p, nuint n, byte api)
    {
        if (p == null)
        {
            return Allocate(heap, state, n, api, zero: false);
        }
        nuint old = CheckBlock(heap, state, (byte*)p, api, "realloc");
        void* fresh = Allocate(heap, state, n, api, zero: false);
        if (fresh == null)
        {
            return null; // the old block is untouched
        }
        Buffer.MemoryCopy(p, fresh, n, Math.Min(n, old));
        FreeLocked(heap, state, (byte*)p, api);
        return fresh;
    }

    /// <summary>Checks and frees a block; null is ignored.</summary>
    /// <exception cref="HeapCorruptionException">The pointer is not a live block of this allocator and API, or its guards were overwritten.</exception>
    public static void Free(HeapState* heap, DebugState state, void* p, byte api)
    {
        if (p == null)
        {
            return;
        }
        using (Enter(state))
        {
            FreeLocked(heap, state, (byte*)p, api);
        }
    }

    private static void FreeLocked(HeapState* heap, DebugState state, byte* data, byte api)
    {
        nuint n = CheckBlock(heap, state, data, api, "free");
        byte* q = data - 2 * S;
        if (PymallocCore<TLayout>.Contains(heap, q))
        {
            nuint block = PymallocCore<TLayout>.BlockSize(PymallocCore<TLayout>.PoolOf(q)->SizeIndex);
            new Span<byte>(q, (int)block).Fill(DeadByte);
            *(ulong*)(q + S) = FreedMark(q, block); // the free list will overwrite [0, S); this survives
        }
        else
        {
            NativeMemory.Fill(q, n + Extra, DeadByte);
            state.RawBlocks.Remove((nint)q);
        }
        PymallocCore<TLayout>.Free(heap, q);
    }

    /// <summary>Checks every block of the heap: live blocks' guards, freed blocks' DEADBYTE fill, and
    /// the heap's invariants (<see cref="PymallocCore{TLayout}.Validate"/>).</summary>
    /// <exception cref="HeapCorruptionException">Something was overwritten.</exception>
    public static void CheckHeap(HeapState* heap, DebugState state)
    {
        using (Enter(state))
        {
            CheckHeapLocked(heap, state);
        }
    }

    private static void CheckHeapLocked(HeapState* heap, DebugState state)
    {
        PymallocCore<TLayout>.Validate(heap);
        foreach (ArenaObject* a in PymallocCore<TLayout>.Arenas(heap))
        {
            foreach (PoolHeader* header in PymallocCore<TLayout>.CarvedPools(a))
            {
                byte* pool = (byte*)header;
                uint size = PymallocCore<TLayout>.BlockSize(header->SizeIndex);
                var free = new HashSet<nint>();
                for (byte* b = header->FreeBlock; b != null; b = PymallocCore<TLayout>.ReadLink(heap, b))
                {
                    free.Add((nint)b);
                    if (*(ulong*)(b + S) == FreedMark(b, size))
                    {
                        CheckFreed(state, b, size); // freed by this layer (not a block never handed out)
                    }
                }
                if (header->Count == 0)
                {
                    continue; // an empty pool: its free list is all there is to check
                }
                for (nuint offset = default(TLayout).PoolOverhead; offset + size <= header->NextOffset; offset += size)
                {
                    byte* b = pool + offset;
                    if (!free.Contains((nint)b))
                    {
                        CheckGuards(state, b + 2 * S, "check");
                    }
                }
            }
        }
        foreach (nint raw in state.RawBlocks)
        {
            CheckGuards(state, (byte*)raw + 2 * S, "check");
        }
    }

    private static void* Allocate(HeapState* heap, DebugState state, nuint n, byte api, bool zero)
    {
        if (n > PymallocCore<TLayout>.MaxRequest - Extra)
        {
            return null;
        }
        CheckNextFreeBlock(heap, state, n + Extra);
        var q = (byte*)PymallocCore<TLayout>.Malloc(heap, n + Extra);
        if (q == null)
        {
            return null;
        }
        if (PymallocCore<TLayout>.Contains(heap, q))
        {
            // A pool block freed by this layer: everything past the free-list link must still be DEADBYTE.
            uint size = PymallocCore<TLayout>.BlockSize(PymallocCore<TLayout>.PoolOf(q)->SizeIndex);
            if (*(ulong*)(q + S) == FreedMark(q, size))
            {
                CheckFreed(state, q, size);
            }
        }
        else
        {
            state.RawBlocks.Add((nint)q);
        }
        ulong serial = ++state.Serial;
        WriteBigEndian(q, n);
        q[S] = api;
        q[S + 1] = state.Tag;
        new Span<byte>(q + S + 2, S - 2).Fill(ForbiddenByte);
        byte* data = q + 2 * S;
        NativeMemory.Fill(data, n, zero ? (byte)0 : CleanByte); // n may exceed 2 GiB: no Span here
        new Span<byte>(data + n, S).Fill(ForbiddenByte);
        WriteBigEndian(data + n + S, (nuint)serial);
        return data;
    }

    /// <summary>
    /// Before pymalloc pops the block a request of <paramref name="request"/> bytes will get: checks that
    /// the block's free-list link — the one word of a freed block its DEADBYTE fill cannot cover — still
    /// points at a block of the same pool (or is null). An overrun from the neighbouring block, or a write
    /// after free, lands exactly there; popping it would send the next allocation to that address.
    /// </summary>
    private static void CheckNextFreeBlock(HeapState* heap, DebugState state, nuint request)
    {
        if (request - 1 >= default(TLayout).SmallRequestThreshold)
        {
            return;
        }
        uint index = (uint)((request - 1) >> default(TLayout).AlignmentShift);
        PoolHeader* pool = HeapState.UsedPools(heap)[index + index];
        if (pool == pool->NextPool)
        {
            return; // no used pool: the next block comes from a fresh pool
        }
        byte* head = pool->FreeBlock;
        byte* next = PymallocCore<TLayout>.ReadLink(heap, head);
        uint size = PymallocCore<TLayout>.BlockSize(index);
        nuint offset = (nuint)next - (nuint)pool;
        if (next != null && (PymallocCore<TLayout>.PoolOf(next) != pool || offset < default(TLayout).PoolOverhead
            || (offset - default(TLayout).PoolOverhead) % size != 0 || offset >= pool->NextOffset))
        {
            throw new HeapCorruptionException(
                $"{state.Name}: the free block 0x{(nuint)head + 2 * S:x} was overwritten after it was freed: its free-list link now reads " +
                $"0x{(nuint)next:x}, which is not a block of its pool (a write past the end of the block before it, or a write after free).",
                (nuint)head + 2 * S, 0, Dump(head, size - 2 * S, freed: true));
        }
    }

    /// <summary>Checks that <paramref name="data"/> is a live block of this allocator and API with intact guards; returns its size.</summary>
    private static nuint CheckBlock(HeapState* heap, DebugState state, byte* data, byte api, string operation)
    {
        byte* q = data - 2 * S;
        if (PymallocCore<TLayout>.Contains(heap, q))
        {
            PoolHeader* pool = PymallocCore<TLayout>.PoolOf(q);
            nuint offset = (nuint)q - (nuint)pool;
            uint size = pool->SizeIndex < default(TLayout).NumSizeClasses ? PymallocCore<TLayout>.BlockSize(pool->SizeIndex) : 0;
            if (size == 0 || offset < default(TLayout).PoolOverhead || (offset - default(TLayout).PoolOverhead) % size != 0 || offset >= pool->NextOffset)
            {
                throw new HeapCorruptionException($"{state.Name}: {operation} of 0x{(nuint)data:x}, which is not a block (it points into a pool, but not at a block's data).", (nuint)data, 0, "");
            }
            if (*(ulong*)(q + S) == FreedMark(q, size))
            {
                throw new HeapCorruptionException($"{state.Name}: {operation} of 0x{(nuint)data:x}, a block that was already freed (double free or use after free).", (nuint)data, 0, Dump(q, size - 2 * S, freed: true));
            }
            if (pool->Count == 0)
            {
                throw new HeapCorruptionException($"{state.Name}: {operation} of 0x{(nuint)data:x}, which is not a live block (its pool is empty).", (nuint)data, 0, "");
            }
        }
        else if (!state.RawBlocks.Contains((nint)q))
        {
            throw new HeapCorruptionException($"{state.Name}: {operation} of 0x{(nuint)data:x}, which is not a block of this allocator (never allocated here, freed already, or from another allocator).", (nuint)data, 0, "");
        }
        nuint n = CheckGuards(state, data, operation);
        if (q[S] != api)
        {
            throw new HeapCorruptionException($"{state.Name}: bad API id: block 0x{(nuint)data:x} was allocated with API '{(char)q[S]}' and passed to {operation} through API '{(char)api}'.", (nuint)data, n, Dump(q, n, false));
        }
        return n;
    }

    private static nuint CheckGuards(DebugState state, byte* data, string operation)
    {
        byte* q = data - 2 * S;
        if (q[S + 1] != state.Tag)
        {
            throw new HeapCorruptionException($"{state.Name}: block 0x{(nuint)data:x} belongs to another allocator (tag {q[S + 1]}, this one is {state.Tag}).", (nuint)data, 0, Dump(q, 0, false));
        }
        for (int i = S + 2; i < 2 * S; i++)
        {
            if (q[i] != ForbiddenByte)
            {
                throw new HeapCorruptionException($"{state.Name}: bad leading pad byte: a write before the start of block 0x{(nuint)data:x} (found by {operation}).", (nuint)data, 0, Dump(q, 0, false));
            }
        }
        nuint n = ReadBigEndian(q);
        for (int i = 0; i < S; i++)
        {
            if (data[n + (nuint)i] != ForbiddenByte)
            {
                throw new HeapCorruptionException($"{state.Name}: bad trailing pad byte: a write past the end of block 0x{(nuint)data:x} of {n} bytes (found by {operation}).", (nuint)data, n, Dump(q, n, false));
            }
        }
        return n;
    }

    private static void CheckFreed(DebugState state, byte* q, uint blockSize)
    {
        for (uint i = 2 * S; i < blockSize; i++)
        {
            if (q[i] != DeadByte)
            {
                throw new HeapCorruptionException(
                    $"{state.Name}: write to freed memory: block 0x{(nuint)(q + 2 * S):x} was modified at offset {i - 2 * S} after it was freed.",
                    (nuint)(q + 2 * S), 0, Dump(q, blockSize - 2 * S, freed: true));
            }
        }
    }

    // A value per address and block size that a never-used block is all but certain not to hold;
    // the size makes a pool re-initialised for another class forget its old marks.
    private static ulong FreedMark(byte* q, nuint blockSize) => (((ulong)q ^ ((ulong)blockSize << 48)) * 0x9E3779B97F4A7C15UL) ^ 0xDDDD_F4EE_D0DD_DDDDUL;

    private static void WriteBigEndian(byte* p, nuint value)
    {
        for (int i = S - 1; i >= 0; i--)
        {
            p[i] = (byte)value;
            value >>= 8;
        }
    }

    private static nuint ReadBigEndian(byte* p)
    {
        nuint value = 0;
        for (int i = 0; i < S; i++)
        {
            value = (value << 8) | p[i];
        }
        return value;
    }

    /// <summary>The block as CPython's <c>_PyObject_DebugDumpAddress</c> describes it.</summary>
    private static string Dump(byte* q, nuint n, bool freed)
    {
        byte* data = q + 2 * S;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Debug memory block at address p=0x{(nuint)data:x}: API '{(freed ? '?' : (char)q[S])}'\n");
        if (freed)
        {
            s.Append("    the block is free (filled with DEADBYTE 0xdd)\n");
        }
        else
        {
            s.Append(CultureInfo.InvariantCulture, $"    {n} bytes originally requested\n");
            bool leading = true;
            for (int i = S + 2; i < 2 * S; i++)
            {
                leading &= q[i] == ForbiddenByte;
            }
            s.Append(leading ? "    The 6 pad bytes at p-6 are FORBIDDENBYTE, as expected.\n" : "    The 6 pad bytes at p-6 are not all FORBIDDENBYTE (0xfd)\n");
            s.Append(CultureInfo.InvariantCulture, $"    The 8 pad bytes at tail=0x{(nuint)(data + n):x} are ");
            bool ok = true;
            for (int i = 0; i < S; i++)
            {
                ok &= data[n + (nuint)i] == ForbiddenByte;
            }
            if (ok)
            {
                s.Append("FORBIDDENBYTE, as expected.\n");
            }
            else
            {
                s.Append("not all FORBIDDENBYTE (0xfd):\n");
                for (int i = 0; i < S; i++)
                {
                    byte b = data[n + (nuint)i];
                    s.Append(CultureInfo.InvariantCulture, $"        at tail+{i}: 0x{b:x2}{(b != ForbiddenByte ? " *** OUCH" : "")}\n");
                }
            }
            s.Append(CultureInfo.InvariantCulture, $"    The block was made by call #{ReadBigEndian(data + n + S)} to debug malloc/realloc.\n");
        }
        nuint shown = n < 8 ? n : 8;
        if (shown > 0)
        {
            s.Append("    Data at p:");
            for (nuint i = 0; i < shown; i++)
            {
                s.Append(CultureInfo.InvariantCulture, $" {data[i]:x2}");
            }
            if (n > 16)
            {
                s.Append(" ...");
            }
            for (nuint i = n > 16 ? n - 8 : shown; i < n; i++)
            {
                s.Append(CultureInfo.InvariantCulture, $" {data[i]:x2}");
            }
            s.Append('\n');
        }
        return s.ToString();
    }
}
