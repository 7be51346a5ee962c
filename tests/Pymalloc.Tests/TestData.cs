// Access to the trace files copied into the test output (tests/data).
using System;
using System.IO;

namespace Pymalloc.Tests;

internal static class TestData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    /// <summary>The statistics text from its first line through the first "Total" line: the part
    /// that must match CPython byte for byte.</summary>
    public static string ThroughFirstTotal(string stats)
    {
        int total = stats.IndexOf("\nTotal", StringComparison.Ordinal);
        if (total < 0)
        {
            throw new ArgumentException("No Total line.", nameof(stats));
        }
        int end = stats.IndexOf('\n', total + 1);
        return end < 0 ? stats : stats.Substring(0, end + 1);
    }
}
