// New<T>/Delete<T>/NewArray<T>/ResizeArray<T>: the class follows sizeof(T), big types go raw,
// and array sizes that overflow give null, never a short block.
using System.Runtime.InteropServices;
using Pymalloc.Generated;
using Pymalloc.Runtime;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

[Collection(nameof(StaticHeapCollection))]
public sealed unsafe class TypedAllocationTests
{
    // The tests take the static heap: they may run on a different thread than the last user.
    public TypedAllocationTests() => PymallocAllocator.TakeOwnership();

    [StructLayout(LayoutKind.Sequential, Size = 48)]
    private struct Node48
    {
        public long Key;
    }

    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct Block512
    {
        public byte First;
    }

    [StructLayout(LayoutKind.Sequential, Size = 513)]
    private struct Block513
    {
        public byte First;
    }

    [Fact]
    public void NewUsesTheSizeClassOfTheType()
    {
        byte* b = PymallocAllocator.New<byte>();
        Node48* n = PymallocAllocator.New<Node48>();
        Block512* k = PymallocAllocator.New<Block512>();
        Assert.Equal(0u, PymallocCore<L>.PoolOf(b)->SizeIndex);
        Assert.Equal(2u, PymallocCore<L>.PoolOf(n)->SizeIndex);
        Assert.Equal(31u, PymallocCore<L>.PoolOf(k)->SizeIndex);
        n->Key = 42;
        PymallocAllocator.Delete(b);
        PymallocAllocator.Delete(n);
        PymallocAllocator.Delete(k);
    }

    [Fact]
    public void ATypeAboveTheThresholdComesFromTheRawAllocator()
    {
        Block513* p = PymallocAllocator.New<Block513>();
        Assert.True(p != null);
        Assert.False(PymallocAllocator.Contains(p));
        p->First = 1;
        PymallocAllocator.Delete(p);
    }

    [Fact]
    public void NewArrayRefusesSizesThatOverflow()
    {
        Assert.True(PymallocAllocator.NewArray<long>(nuint.MaxValue) == null);
        Assert.True(PymallocAllocator.NewArray<long>((nuint)1 << 60) == null);        // 2^63 bytes
        Assert.True(PymallocAllocator.NewArray<Node48>(nuint.MaxValue / 40) == null);  // wraps if multiplied blindly
        int* ints = PymallocAllocator.NewArray<int>(10);
        Assert.True(PymallocAllocator.Contains(ints));
        Assert.Equal(2u, PymallocCore<L>.PoolOf(ints)->SizeIndex);
        PymallocAllocator.Delete(ints);
    }

    [Fact]
    public void ResizeArrayKeepsTheContentsAndFailsWithoutLosingTheArray()
    {
        int* a = PymallocAllocator.NewArray<int>(4);
        for (int i = 0; i < 4; i++)
        {
            a[i] = i + 100;
        }
        Assert.True(PymallocAllocator.ResizeArray(a, nuint.MaxValue / 2) == null);
        Assert.Equal(103, a[3]); // untouched

        int* b = PymallocAllocator.ResizeArray(a, 1000);
        Assert.False(PymallocAllocator.Contains(b)); // 4000 bytes: raw
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(i + 100, b[i]);
        }
        PymallocAllocator.Free(b);
    }
}
