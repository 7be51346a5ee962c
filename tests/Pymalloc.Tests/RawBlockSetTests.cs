// The heap's set of raw blocks against a model (HashSet), under random adds and removes that make
// it grow, fill with deleted slots and shrink back: it must answer exactly, and always terminate.
using System.Collections.Generic;
using CsCheck;
using Pymalloc.Runtime;
using Xunit;

namespace Pymalloc.Tests;

public sealed unsafe class RawBlockSetTests
{
    [Fact]
    public void TheSetAgreesWithAModelUnderAnySequence()
    {
        // Keys are 16-byte multiples, as block addresses are; a small key space forces collisions.
        Gen.Select(Gen.Bool, Gen.Int[1, 600]).Array[1, 3000].Sample(ops =>
        {
            var set = new RawBlockSet();
            var model = new HashSet<nint>();
            try
            {
                foreach ((bool add, int k) in ops)
                {
                    var p = (void*)(nint)(k * 16);
                    if (add)
                    {
                        Assert.True(set.Add(p));
                        model.Add((nint)p);
                    }
                    else
                    {
                        Assert.Equal(model.Remove((nint)p), set.Remove(p));
                    }
                    Assert.Equal((nuint)model.Count, set.Count);
                }
                for (int k = 1; k <= 600; k++)
                {
                    Assert.Equal(model.Contains(k * 16), set.Contains((void*)(nint)(k * 16)));
                }
                return true;
            }
            finally
            {
                set.Release();
            }
        }, iter: 300);
    }
}
