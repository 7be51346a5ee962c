// samples/TraceReplay as users run it, on traces that are wrong in the ways real files go wrong:
// every error is one line on stderr naming the problem, a non-zero exit, no stack trace, and
// nothing huge allocated for an absurd id.
using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Text;
using Pymalloc.Traces;
using Xunit;

namespace Pymalloc.Tests;

public sealed class TraceReplayCliTests
{
    private const string Header = "# pymalloc-trace v1 python=test alignment=16 pool=16384 arena=1048576 threshold=512\n";

    [Fact]
    public void ACompleteTraceReplaysToItsStatistics()
    {
        (int exit, string stdout, string stderr) = Run(Write(Header + "m 0 16\nm 1 40\nf 0\n# end ops=3 max_id=2\n"));
        Assert.Equal(0, exit);
        Assert.StartsWith("Small block threshold = 512, in 32 size classes.", stdout);
        Assert.DoesNotContain("TraceReplay:", stderr);
    }

    [Theory]
    [InlineData("m 0 16\nm 1 40\n", "without its '# end ops=...' line")]
    [InlineData("m 0 16\nm 1 40\n# end ops=5\n", "announces 5 operations but the trace has 2")]
    [InlineData("m 0 16\n# end ops=1\nm 1 16\n", "Line 4: an operation after the '# end' line")]
    [InlineData("m 2147483646 16\n# end ops=1\n", "Block id 2147483646 is out of range")]
    [InlineData("m 0 16\nm 1 16\nf 0\nf 0\n# end ops=4\n", "Op 3: block id 0 is not live")]
    [InlineData("m 0 16\nm 0 32\n# end ops=2\n", "Op 1: block id 0 is already live")]
    public void ABrokenTraceIsOneLineAndAFailure(string ops, string message)
    {
        (int exit, string stdout, string stderr) = Run(Write(Header + ops));
        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("TraceReplay:", StringComparison.Ordinal));
        Assert.Contains(message, line);
        Assert.DoesNotContain(" at ", stderr); // no stack trace
    }

    [Fact]
    public void ATruncatedGzipFileIsRefused()
    {
        // The first half of the real s0_small.trace.gz: a download cut short.
        byte[] whole = File.ReadAllBytes(TestData.PathOf("s0_small.trace.gz"));
        string path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.trace.gz");
        File.WriteAllBytes(path, whole.AsSpan(0, whole.Length / 2).ToArray());
        try
        {
            Assert.ThrowsAny<Exception>(() => AllocationTrace.Load(path));
            (int exit, string stdout, string stderr) = Run(path);
            Assert.NotEqual(0, exit);
            Assert.Equal("", stdout);
            Assert.Contains("TraceReplay: cannot read", stderr);
            Assert.DoesNotContain(" at ", stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AGzippedTraceWithItsEndLineLoads()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ok-{Guid.NewGuid():N}.trace.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.ASCII.GetBytes(Header + "m 0 16\n# end ops=1\n"));
        }
        try
        {
            Assert.Single(AllocationTrace.Load(path).Ops);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Write(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Stdout, string Stderr) Run(string tracePath)
    {
        // tests/Pymalloc.Tests/bin/<Configuration>/<tfm>/ -> samples/TraceReplay/bin/<Configuration>/<tfm>/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = here.Name, configuration = here.Parent!.Name;
        string dll = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", "..", "samples", "TraceReplay", "bin", configuration, tfm, "TraceReplay.dll"));
        Assert.True(File.Exists(dll), $"TraceReplay is built before the tests: {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(tracePath);
        using Process p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        try
        {
            return (p.ExitCode, stdout, stderr.Result);
        }
        finally
        {
            if (tracePath.StartsWith(Path.GetTempPath(), StringComparison.Ordinal) && tracePath.EndsWith(".txt", StringComparison.Ordinal))
            {
                File.Delete(tracePath);
            }
        }
    }
}
