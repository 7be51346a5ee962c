// Every configuration below breaks one rule; the comment names the diagnostic.
using Pymalloc;

[assembly: PymallocConfig(PoolSize = 3000)]                    // PYM002
[assembly: PymallocConfig(TypeName = "Bad Name")]              // PYM007 (a second one) and PYM010

namespace BadConfig;

internal static class Settings
{
    public static int Alignment = 16;
}

[PymallocConfig(Alignment = 12)]                               // PYM001
internal static partial class A { }

[PymallocConfig(ArenaSize = 1000)]                             // PYM003
internal static partial class B { }

[PymallocConfig(SmallRequestThreshold = 100)]                  // PYM004
internal static partial class C { }

[PymallocConfig(PoolSize = 4096, SmallRequestThreshold = 2048)] // PYM005
internal static partial class D { }

[PymallocConfig(Alignment = 8, SmallRequestThreshold = 1024)]  // PYM006
internal static partial class E { }

[PymallocConfig]                                               // PYM008
internal partial class F { }

[PymallocConfig(Alignment = Settings.Alignment)]               // PYM011 (and the compiler's CS0182)
internal static partial class G { }

[PymallocConfig(Preset = (PymallocPreset)9)]                   // PYM012
internal static partial class H { }
