// A MemoryPool<byte> over a heap, for APIs that take Memory<byte> or IMemoryOwner<byte> (pipelines,
// sockets, serializers): Rent allocates a block from the heap, disposing the owner frees it (from
// any thread, as the heap's Free allows). Each rental allocates one small managed object, the owner
// the API expects; the bytes themselves are the heap's.
using System;
using System.Buffers;
using System.Threading;

namespace Pymalloc;

/// <summary>Blocks of a <see cref="Heap{TLayout}"/> as <see cref="IMemoryOwner{T}"/> rentals.</summary>
/// <remarks>Rent on the heap's owner thread (it allocates); dispose the rentals anywhere. Disposing
/// the pool does not free outstanding rentals or the heap.</remarks>
public sealed unsafe class PymallocMemoryPool<TLayout> : MemoryPool<byte> where TLayout : struct, IPymallocLayout
{
    private readonly Heap<TLayout> _heap;

    /// <summary>A pool over <paramref name="heap"/>.</summary>
    public PymallocMemoryPool(Heap<TLayout> heap) => _heap = heap;

    /// <summary>The largest rental: what a Memory&lt;byte&gt; can address.</summary>
    public override int MaxBufferSize => int.MaxValue;

    /// <summary>Rents at least <paramref name="minBufferSize"/> bytes (-1: the heap's small-request
    /// threshold, a pool block); the rental's Memory is exactly that long.</summary>
    /// <exception cref="OutOfMemoryException">The heap cannot allocate the block.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, "A rental is -1 (the default size) or more bytes.");
        }
        int length = minBufferSize == -1 ? (int)default(TLayout).SmallRequestThreshold : minBufferSize;
        byte* block = (byte*)_heap.Malloc((nuint)length);
        if (block == null)
        {
            throw new OutOfMemoryException($"The heap cannot allocate {length} bytes.");
        }
        return new Rental(_heap, block, length);
    }

    /// <summary>Nothing to release: rentals free their own blocks.</summary>
    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>One block as a MemoryManager: its Memory, and its release.</summary>
    private sealed class Rental : MemoryManager<byte>
    {
        private readonly Heap<TLayout> _heap;
        private readonly int _length;
        private nint _block; // 0 once returned

        public Rental(Heap<TLayout> heap, byte* block, int length)
        {
            _heap = heap;
            _block = (nint)block;
            _length = length;
        }

        private byte* Block
        {
            get
            {
                nint block = Volatile.Read(ref _block);
                return block != 0 ? (byte*)block : throw new ObjectDisposedException(nameof(PymallocMemoryPool<TLayout>), "This rental was returned.");
            }
        }

        public override Span<byte> GetSpan() => new(Block, _length);

        // Unmanaged memory never moves: pinning hands out the address and holds nothing.
        public override MemoryHandle Pin(int elementIndex = 0)
            => (uint)elementIndex <= (uint)_length ? new MemoryHandle(Block + elementIndex) : throw new ArgumentOutOfRangeException(nameof(elementIndex));

        public override void Unpin()
        {
        }

        // Once: a second Dispose of the owner frees nothing (a second free would be the heap's error).
        protected override void Dispose(bool disposing)
        {
            nint block = Interlocked.Exchange(ref _block, (nint)0);
            if (block != 0)
            {
                _heap.Free((void*)block);
            }
        }
    }
}
