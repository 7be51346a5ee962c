// The layouts of CPython releases on 64-bit, for PymallocConfigAttribute.Preset. Each preset fixes
// only the four layout numbers; the algorithm is always CPython 3.11's.
namespace Pymalloc;

/// <summary>A CPython release's pymalloc layout on 64-bit platforms.</summary>
public enum PymallocPreset
{
    /// <summary>
    /// CPython 3.10 and 3.11 (the default): ALIGNMENT 16, SMALL_REQUEST_THRESHOLD 512, POOL_SIZE 16 KiB,
    /// ARENA_SIZE 1 MiB. Objects/obmalloc.c of v3.11.x: <c>ALIGNMENT 16</c> when <c>SIZEOF_VOID_P &gt; 4</c>,
    /// <c>SMALL_REQUEST_THRESHOLD 512</c>, <c>USE_LARGE_ARENAS</c> → <c>ARENA_BITS 20</c>,
    /// <c>USE_LARGE_POOLS</c> → <c>POOL_BITS 14</c> (bpo-37448, with the radix-tree address check).
    /// </summary>
    CPython311 = 0,

    /// <summary>
    /// CPython 3.8 and 3.9: ALIGNMENT 16, SMALL_REQUEST_THRESHOLD 512, POOL_SIZE 4 KiB, ARENA_SIZE 256 KiB.
    /// Objects/obmalloc.c of v3.8.x: <c>ALIGNMENT 16</c> when <c>SIZEOF_VOID_P &gt; 4</c> (bpo-27987),
    /// <c>SMALL_REQUEST_THRESHOLD 512</c>, <c>POOL_SIZE SYSTEM_PAGE_SIZE</c> (4 * 1024),
    /// <c>ARENA_SIZE (256 &lt;&lt; 10)</c>.
    /// </summary>
    CPython38 = 1,

    /// <summary>
    /// CPython 2.7 as the classic write-ups describe it (2.7.0 through 2.7.16): ALIGNMENT 8,
    /// SMALL_REQUEST_THRESHOLD 256, POOL_SIZE 4 KiB, ARENA_SIZE 256 KiB. Objects/obmalloc.c of v2.7.16:
    /// <c>ALIGNMENT 8</c>, <c>SMALL_REQUEST_THRESHOLD 256</c>, <c>POOL_SIZE SYSTEM_PAGE_SIZE</c> (4 * 1024),
    /// <c>ARENA_SIZE (256 &lt;&lt; 10)</c>.
    /// </summary>
    CPython27 = 2,

    /// <summary>
    /// CPython 2.7.17 and 2.7.18, the last 2.7 releases: as <see cref="CPython27"/> but with ALIGNMENT 16 on
    /// 64-bit (bpo-27987 backported to 2.7 in GH-13319, May 2019), so 16 size classes.
    /// </summary>
    CPython2718 = 3,
}
