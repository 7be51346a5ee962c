// The raw blocks a heap handed out (requests of 0 or above the threshold, and small ones it could
// not serve from an arena), as a set of addresses: so Reset and Dispose can free them too (a level
// unload is one call), a raw free can tell the heap's own blocks from foreign pointers, and the
// statistics count them exactly. Open addressing with linear probing over a table of addresses in
// native memory (not the raw allocator's: a custom raw allocator sees only the caller's blocks).
// Only the heap's owner touches it, on raw paths, which already pay for a malloc call.
// Invariants: slots hold 0 (empty), 1 (deleted) or a block address (>= 16, as blocks are);
// Count + deleted < 3/4 of the capacity, a power of two.
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>A set of raw block addresses (see the file's header).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RawBlockSet
{
    private const nuint Empty = 0, Deleted = 1;

    /// <summary>The index <see cref="Find"/> returns for a block not in the set.</summary>
    private static nuint NotFound => ~(nuint)0;

    private nuint* _slots;
    private nuint _capacity;
    private nuint _used; // live + deleted

    /// <summary>Blocks in the set.</summary>
    public nuint Count;

    /// <summary>Adds <paramref name="block"/>; false only when the table cannot grow (out of memory).</summary>
    public bool Add(void* block)
    {
        if ((_used + 1) * 4 > _capacity * 3 && !Resize(Platform.RoundUpToPowerOf2((ulong)Count * 4 + 32)))
        {
            return false;
        }
        nuint key = (nuint)block, i = Hash(key);
        nuint reuse = NotFound;
        while (_slots[i] != Empty)
        {
            if (_slots[i] == key)
            {
                return true;
            }
            if (_slots[i] == Deleted && reuse == NotFound)
            {
                reuse = i;
            }
            i = (i + 1) & (_capacity - 1);
        }
        if (reuse != NotFound)
        {
            i = reuse;
        }
        else
        {
            _used++;
        }
        _slots[i] = key;
        Count++;
        return true;
    }

    /// <summary>True if <paramref name="block"/> is in the set.</summary>
    public readonly bool Contains(void* block) => Find((nuint)block) != NotFound;

    /// <summary>Removes <paramref name="block"/>; false if it was not there (a foreign pointer).</summary>
    public bool Remove(void* block)
    {
        nuint i = Find((nuint)block);
        if (i == NotFound)
        {
            return false;
        }
        _slots[i] = Deleted;
        Count--;
        return true;
    }

    /// <summary>Frees every block through the heap's raw allocator and empties the set (its table is kept).</summary>
    public void FreeAll(HeapState* heap, bool aligned)
    {
        for (nuint i = 0; i < _capacity; i++)
        {
            nuint key = _slots[i];
            if (key > Deleted)
            {
                if (aligned)
                {
                    RawMemory.AlignedFree(heap, (void*)key);
                }
                else
                {
                    RawMemory.Free(heap, (void*)key);
                }
            }
            _slots[i] = Empty;
        }
        _used = 0;
        Count = 0;
    }

    /// <summary>Returns the table's memory (the set must be empty or its blocks already freed).</summary>
    public void Release()
    {
        NativeMemory.Free(_slots);
        this = default;
    }

    private readonly nuint Find(nuint key)
    {
        if (_capacity == 0)
        {
            return NotFound;
        }
        for (nuint i = Hash(key); _slots[i] != Empty; i = (i + 1) & (_capacity - 1))
        {
            if (_slots[i] == key)
            {
                return i;
            }
        }
        return NotFound;
    }

    // Fibonacci hashing of the address without its always-zero low bits.
    private readonly nuint Hash(nuint key) => (nuint)(((ulong)key >> 4) * 0x9E3779B97F4A7C15UL) & (_capacity - 1);

    private bool Resize(ulong capacityPowerOfTwo)
    {
        nuint capacity = (nuint)capacityPowerOfTwo;
        nuint* slots;
        try
        {
            slots = (nuint*)NativeMemory.AllocZeroed(capacity, (nuint)sizeof(nuint));
        }
        catch (System.OutOfMemoryException)
        {
            return false;
        }
        nuint* old = _slots;
        nuint oldCapacity = _capacity;
        _slots = slots;
        _capacity = capacity;
        _used = Count;
        for (nuint i = 0; i < oldCapacity; i++)
        {
            nuint key = old[i];
            if (key > Deleted)
            {
                nuint j = Hash(key);
                while (_slots[j] != Empty)
                {
                    j = (j + 1) & (capacity - 1);
                }
                _slots[j] = key;
            }
        }
        NativeMemory.Free(old);
        return true;
    }
}
