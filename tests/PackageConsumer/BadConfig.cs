// Compiled only with -p:PymallocBadConfig=true: the build must fail with PYM001 on this line.
using Pymalloc;

[PymallocConfig(Alignment = 12)]
internal static unsafe partial class BrokenAllocator
{
}
