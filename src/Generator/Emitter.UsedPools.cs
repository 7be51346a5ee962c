// The UsedPools file: obmalloc.c's static `usedpools` initialiser (PT(0), PT(1), ...), unrolled.
using System.Text;

namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitUsedPools(AllocatorSpec spec, LayoutModel m)
    {
        var lines = new StringBuilder();
        for (int c = 0; c < m.NumSizeClasses; c++)
        {
            string slots = $"usedPools[{I(2 * c)}] = usedPools[{I(2 * c + 1)}]";
            lines.Append($"    {slots,-36} = PoolHeader.PTA(usedPools, {I(c)});".PadRight(84))
                 .Append($"// class {I(c),2}: {I(m.FirstRequest(c)),4}..{I(m.BlockSize(c))} bytes\n");
        }
        string body = $$"""
            /// <summary>
            /// Initialises the <c>usedpools</c> table of a new heap: slots 2i and 2i+1 are the
            /// <c>nextpool</c>/<c>prevpool</c> of a fake pool header starting two pointers before slot 2i
            /// (PTA(i)), and pointing both at it makes size class i an empty circular list.
            /// So <c>pool != pool->NextPool</c> reads "class i has a used pool", and linking a pool in or
            /// out never tests for null; the fake header's other fields are never touched.
            /// </summary>
            private static void InitializeUsedPools(PoolHeader** usedPools)
            {
            {{lines.ToString().TrimEnd('\n')}}
            }
            """;
        return File(spec, "usedpools table", new string[0], new[] { "Pymalloc.Runtime" }, body);
    }
}
