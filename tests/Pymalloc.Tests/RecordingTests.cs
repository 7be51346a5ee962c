// Recording a program's calls as a pymalloc-trace v1 file: PYMALLOC_TRACE on a real process (the
// TraceReplay sample, which allocates through the generated static API and prints its statistics),
// replayed by the pymalloc tool to the very statistics the program printed; and the recorder's rules
// for ids, reallocs and frees it never saw.
using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Pymalloc.Traces;
using Xunit;

namespace Pymalloc.Tests;

public sealed unsafe class RecordingTests
{
    [Theory]
    [InlineData(".trace.gz")]
    [InlineData(".trace")]
    public void AProgramRecordedWithPymallocTraceReplaysToTheStatisticsItPrinted(string extension)
    {
        string recording = Path.Combine(Path.GetTempPath(), $"pymalloc-recorded-{Guid.NewGuid():N}{extension}");
        try
        {
            (int exit, string printed) = RunTraceReplay(TestData.PathOf("s0_small.trace.gz"), recording);
            Assert.Equal(0, exit);
            AllocationTrace trace = AllocationTrace.Load(recording); // complete: header, ops, end line
            Assert.Equal(473_793, trace.Ops.Length);
            Assert.Contains("alignment=16 pool=16384 arena=1048576 threshold=512", trace.Header);

            var replayed = new StringWriter();
            Assert.Equal(0, Pymalloc.Tool.Program.Run(new[] { "replay", recording }, replayed, new StringWriter()));
            Assert.Equal(TestData.ThroughFirstTotal(printed), TestData.ThroughFirstTotal(replayed.ToString()));
        }
        finally
        {
            File.Delete(recording);
        }
    }

    [Fact]
    public void IdsAreDenseReallocsKeepOrChangeThemAndUnknownFreesAreNotRecorded()
    {
        var stream = new MemoryStream();
        var recorder = new TraceRecorder(stream, "test", 16, 16384, 1048576, 512);
        byte* a = (byte*)0x1000, b = (byte*)0x2000, c = (byte*)0x3000;
        recorder.Malloc(a, 16, inPool: true);          // m 0 16
        recorder.Calloc(b, 2, 8, inPool: true);        // c 1 2 8
        recorder.Realloc(a, a, 24, inPool: true);      // r 0 0 24: did not move
        recorder.Realloc(a, c, 600, inPool: false);    // r 0 2 600: moved, a new id, 0 free again
        recorder.Free((void*)0x9000);                  // never allocated here: not recorded
        recorder.Realloc(null, a, 32, inPool: true);   // r - 0 32: id 0 reused
        recorder.Free(b);                              // f 1
        recorder.Malloc(null, 16, inPool: true);       // failed: not recorded
        recorder.Complete();
        recorder.Complete();                           // idempotent
        string text = Encoding.UTF8.GetString(stream.ToArray());
        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.StartsWith("# pymalloc-trace v1 python=none alignment=16 pool=16384 arena=1048576 threshold=512", lines[0]);
        Assert.Equal(new[] { "m 0 16", "c 1 2 8", "r 0 0 24", "r 0 2 600", "r - 0 32", "f 1" }, lines[2..^1]);
        Assert.Equal("# end ops=6 m=1 c=1 r=3 f=1 max_id=3 live=2 max_live=3 allocated_blocks=1", lines[^1]);
    }

    // One level recorded through the API: random calls, some frees handed over by another thread and
    // drained; the recording, replayed, gives the heap's own statistics when the recording stopped.
    [Fact]
    public void ARecordingHeapsTraceReplaysToTheHeapsStatistics()
    {
        var stream = new MemoryStream();
        using var level = RecordingHeap<Generated.PymallocAllocator.Layout>.Create(stream, "level 1");
        var random = new Random(20261205);
        var live = new System.Collections.Generic.List<nint>();
        for (int step = 0; step < 50_000; step++)
        {
            int action = random.Next(10);
            if (action < 5 || live.Count == 0)
            {
                live.Add((nint)(random.Next(3) == 0 ? level.Calloc(2, (nuint)random.Next(1, 400)) : level.Malloc((nuint)random.Next(0, 700))));
            }
            else if (action < 7)
            {
                int i = random.Next(live.Count);
                live[i] = (nint)level.Realloc((void*)live[i], (nuint)random.Next(1, 900));
            }
            else
            {
                int i = random.Next(live.Count);
                nint block = live[i];
                live.RemoveAt(i);
                if (action == 9)
                {
                    Assert.Null(OtherThread.Run(() => level.Free((void*)block))); // handed over
                }
                else
                {
                    level.Free((void*)block);
                }
            }
        }
        level.Heap.DrainDelayedFrees();
        string statistics = level.Heap.GetStats().ToString();
        level.StopRecording();
        Assert.False(level.IsRecording);
        level.Free(level.Malloc(16)); // still a heap, no longer recorded

        string path = Path.Combine(Path.GetTempPath(), $"pymalloc-level-{Guid.NewGuid():N}.trace");
        File.WriteAllBytes(path, stream.ToArray());
        try
        {
            var replayed = new StringWriter();
            Assert.Equal(0, Pymalloc.Tool.Program.Run(new[] { "replay", path }, replayed, new StringWriter()));
            Assert.Equal(TestData.ThroughFirstTotal(statistics), TestData.ThroughFirstTotal(replayed.ToString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // PYMALLOC_TRACE on a program that allocates through a heap instance (GameLoop's world): the heap
    // is recorded from Create to Dispose; the static allocator it never allocates from leaves no file.
    [Fact]
    public void PymallocTraceRecordsHeapInstancesFromCreateToDispose()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"pymalloc-heaps-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            (int exit, string stdout) = RunSample("GameLoop", new[] { "--frames", "60" }, Path.Combine(folder, "{allocator}.trace.gz"));
            Assert.Equal(0, exit);
            string recording = Assert.Single(Directory.GetFiles(folder));
            Assert.Contains("Heap<Pymalloc.Generated.PymallocAllocator+Layout>#", recording);
            AllocationTrace trace = AllocationTrace.Load(recording);
            Assert.True(trace.Ops.Length > 10_000);

            // The world frees everything before the heap is disposed; the arenas it needed at most are
            // what the program printed ("N arenas (M at most)").
            var replayed = new StringWriter();
            Assert.Equal(0, Pymalloc.Tool.Program.Run(new[] { "replay", recording }, replayed, new StringWriter()));
            string most = System.Text.RegularExpressions.Regex.Match(stdout, @"\((\d+) at").Groups[1].Value;
            Assert.Matches($@"\n# arenas highwater mark\s+=\s+{most}\n", replayed.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs samples/TraceReplay on <paramref name="trace"/> with PYMALLOC_TRACE set; returns its exit code and stdout.</summary>
    private static (int Exit, string Stdout) RunTraceReplay(string trace, string recording)
        => RunSample("TraceReplay", new[] { trace }, recording);

    /// <summary>Runs a sample with PYMALLOC_TRACE set; returns its exit code and stdout.</summary>
    private static (int Exit, string Stdout) RunSample(string sample, string[] args, string recording)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", "..", "samples", sample, "bin", here.Parent!.Name, here.Name, sample + ".dll"));
        Assert.True(File.Exists(dll), $"{sample} is built before the tests: {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["PYMALLOC_TRACE"] = recording;
        using Process p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = stderr.Result;
        return (p.ExitCode, stdout);
    }
}

/// <summary>Misuse of the recording and buffer APIs: clear exceptions, nothing corrupted.</summary>
public sealed unsafe class RecordingMisuseTests
{
    [Fact]
    public void ARecordingHeapStopsAndDisposesOnceAndRefusesCallsAfterDispose()
    {
        var stream = new MemoryStream();
        var level = RecordingHeap<Generated.PymallocAllocator.Layout>.Create(stream);
        void* kept = level.Malloc(32);
        level.StopRecording();
        level.StopRecording(); // idempotent
        Assert.False(level.IsRecording);
        level.Free(kept);
        level.Dispose();
        level.Dispose(); // idempotent
        Assert.False(level.IsRecording);
        Assert.Throws<ObjectDisposedException>(() => level.Malloc(16));
        Assert.Throws<ObjectDisposedException>(() => level.StopRecording());
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("# end ops=1 m=1 c=0 r=0 f=0 max_id=1 live=1 max_live=1 allocated_blocks=1\n", text);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => new TraceRecorder(null!, "x", 16, 16384, 1048576, 512));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnmanagedBuffer<int>((int*)16, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnmanagedBuffer<int>(null, 4));
        using Heap<Generated.PymallocAllocator.Layout> heap = Heap<Generated.PymallocAllocator.Layout>.Create();
        using var pool = new PymallocMemoryPool<Generated.PymallocAllocator.Layout>(heap);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(-2));
        heap.Validate();
    }
}
