// A typed block that knows its length: what NewArray's bare T* lacks. Span access is bounds-checked;
// the pointer is there for interop and for freeing (heap.Free(buffer.Pointer)).
using System;

namespace Pymalloc;

/// <summary><see cref="Length"/> elements of <typeparamref name="T"/> at <see cref="Pointer"/>, from
/// <see cref="Heap{TLayout}.NewBuffer{T}"/>; free it with <see cref="Heap{TLayout}.Free(void*)"/> of its pointer.</summary>
public readonly unsafe struct UnmanagedBuffer<T> where T : unmanaged
{
    /// <summary>Describes <paramref name="length"/> elements at <paramref name="pointer"/>.</summary>
    public UnmanagedBuffer(T* pointer, int length)
    {
        if (length < 0 || (pointer == null && length != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer has a non-negative length, and none without memory.");
        }
        Pointer = pointer;
        Length = length;
    }

    /// <summary>The first element; null for a buffer that could not be allocated.</summary>
    public T* Pointer { get; }

    /// <summary>How many elements the buffer holds.</summary>
    public int Length { get; }

    /// <summary>True when the allocation failed (or for a default buffer).</summary>
    public bool IsNull => Pointer == null;

    /// <summary>The elements, bounds-checked.</summary>
    public Span<T> Span => new(Pointer, Length);

    /// <summary>One element, bounds-checked.</summary>
    public ref T this[int index] => ref Span[index];
}
