// StringBuilder.Append(IFormatProvider, interpolated string) for netstandard2.1, which lacks it: the
// statistics and debug reports format invariantly with one source on both assets.
#if !NET6_0_OR_GREATER
using System;
using System.Text;

namespace Pymalloc.Runtime;

internal static class StringBuilderShim
{
    public static StringBuilder Append(this StringBuilder builder, IFormatProvider provider, FormattableString text) =>
        builder.Append(text.ToString(provider));
}
#endif
