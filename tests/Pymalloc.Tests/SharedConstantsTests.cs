// The numbers the generator and the runtime must agree on, written down in both (the generator is
// netstandard2.0 with no reference to the runtime): if one side changes, this fails before any
// generated layout does.
using Pymalloc.Generator;
using Pymalloc.Runtime;
using Xunit;

namespace Pymalloc.Tests;

public sealed unsafe class SharedConstantsTests
{
    [Fact]
    public void ThePoolHeaderIsTheSizeTheGeneratorRoundsUp()
    {
        Assert.Equal(LayoutModel.PoolHeaderSize, PoolHeader.Size);
        Assert.Equal(PoolHeader.Size, sizeof(PoolHeader));
    }

    [Fact]
    public void TheUsedPoolsTableHoldsAsManyClassesAsTheGeneratorAllows()
        => Assert.Equal(LayoutModel.MaxSizeClasses, HeapState.MaxSizeClasses);

    [Fact]
    public void EveryPresetIsAValidLayoutAndMatchesItsGeneratedConstants()
    {
        foreach (LayoutConfig preset in LayoutModel.Presets)
        {
            Assert.Empty(LayoutModel.Validate(preset));
        }
        var m = new LayoutModel(LayoutModel.Presets[(int)PymallocPreset.CPython38]);
        Assert.Equal(Python38.Layout.PoolOverhead, m.PoolOverhead);
        Assert.Equal(Python38.Layout.MaxPoolsInArena, m.MaxPoolsInArena);
        Assert.Equal(Python38.Layout.NumSizeClasses, m.NumSizeClasses);
    }
}
