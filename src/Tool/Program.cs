// pymalloc: the command-line tool. Verbs:
//   replay <trace> [--preset NAME | --alignment N --pool-size N --arena-size N --threshold N]
//       replays a pymalloc-trace v1 file under that layout; stdout gets _PyObject_DebugMallocStats'
//       text exactly as CPython built with the layout prints it; progress and timing go to stderr.
//   inspect <assembly.dll>
//       the allocators generated into a built assembly, with their layout tables.
// Mistakes (a bad layout, an unreadable trace, a missing file) are one line on stderr: exit code 2
// for the command line, 1 for the input.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Pymalloc.Generator;
using Pymalloc.Traces;
using Spectre.Console;

namespace Pymalloc.Tool;

internal static class Program
{
    private const string Usage = """
        usage: pymalloc <verb> ...
          replay <trace> [--preset NAME] [--alignment N] [--pool-size N] [--arena-size N] [--threshold N]
              Replays a pymalloc-trace v1 file (gzip or text) under a layout and prints
              _PyObject_DebugMallocStats' text. With no layout option: the layout the trace's header
              names (CPython 3.11's if it names none). Each number defaults to the preset's.
          advise <trace> [--json] [--top N] [--png chart.png]
              Replays the trace under the presets and a grid of layouts, measures each (peak memory
              mapped, bytes lost at the peak and at the end, arenas mapped and released, share of
              requests the pools serve, replay speed), and prints the attribute to paste.
          inspect <assembly.dll>
              Lists the allocators generated into a built assembly, with their size-class tables.
        presets: CPython311, CPython38, CPython27, CPython2718
        """;

    public static int Main(string[] args) => Run(args, System.Console.Out, System.Console.Error);

    /// <summary>The whole command, with its streams given (the tests run it in-process).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var rest = args.ToList();
        if (rest.Count == 0 || rest[0] is "-h" or "--help" or "help")
        {
            stderr.WriteLine(Usage);
            return rest.Count == 0 ? 2 : 0;
        }
        string verb = rest[0];
        rest.RemoveAt(0);
        try
        {
            return verb switch
            {
                "replay" => Replay(rest, stdout, stderr),
                "advise" => AdviseVerb(rest, stdout, stderr),
                "inspect" => InspectVerb(rest, stdout),
                _ => throw new UsageException($"unknown verb '{verb}' (replay, advise, inspect); pymalloc --help lists them."),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"pymalloc {verb}: {e.Message}");
            return e.ExitCode;
        }
    }

    private static int Replay(List<string> args, TextWriter stdout, TextWriter stderr)
    {
        LayoutConfig layout = LayoutChoice.Parse(args, out bool given);
        string path = Single(args, "a trace file");
        AllocationTrace trace = LoadTrace(path);
        if (!given && LayoutChoice.FromHeader(trace.Header) is LayoutConfig recorded)
        {
            // No layout asked for: the one the trace was recorded with, if its header says.
            LayoutChoice.Check(recorded);
            layout = recorded;
        }
        stderr.WriteLine($"{Path.GetFileName(path)}: {trace.Ops.Length:N0} ops; layout {LayoutChoice.Describe(layout)}");
        LayoutReplay.Result result;
        try
        {
            result = LayoutReplay.Run(trace, layout, share => stderr.WriteLine($"  replaying: {share:P0}"));
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"{path}: {e.Message}", 1);
        }
        stderr.WriteLine($"replayed in {result.Elapsed.TotalMilliseconds:F0} ms ({result.Elapsed.TotalNanoseconds / result.Operations:F1} ns/op)");
        stdout.NewLine = "\n";
        result.Stats.WriteTo(stdout);
        stdout.Flush();
        return 0;
    }

    private static int AdviseVerb(List<string> args, TextWriter stdout, TextWriter stderr)
    {
        bool json = args.Remove("--json");
        string? png = null;
        int pngAt = args.IndexOf("--png");
        if (pngAt >= 0)
        {
            png = pngAt + 1 < args.Count ? args[pngAt + 1] : throw new UsageException("--png needs a file name.");
            args.RemoveRange(pngAt, 2);
        }
        int top = 12;
        int at = args.IndexOf("--top");
        if (at >= 0)
        {
            if (at + 1 >= args.Count || !int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1)
            {
                throw new UsageException("--top needs a positive whole number.");
            }
            args.RemoveRange(at, 2);
        }
        string path = Single(args, "a trace file");
        AllocationTrace trace = LoadTrace(path);
        IReadOnlyList<LayoutConfig> candidates = Advise.Candidates(LayoutChoice.FromHeader(trace.Header));
        stderr.WriteLine($"{Path.GetFileName(path)}: {trace.Ops.Length:N0} ops; trying {candidates.Count} layouts");
        var measured = new List<Advise.Measurement>();
        foreach (LayoutConfig layout in candidates)
        {
            try
            {
                measured.Add(Advise.Measure(trace, layout));
            }
            catch (InvalidOperationException e)
            {
                throw new UsageException($"{path}: {e.Message}", 1);
            }
            stderr.WriteLine($"  {measured.Count}/{candidates.Count} {LayoutChoice.Describe(layout)}");
        }
        IReadOnlyList<Advise.Measurement> ranked = Advise.Rank(measured);
        Advise.Measurement best = ranked[0];
        Advise.Measurement baseline = measured.First(m => m.Layout == LayoutModel.Presets[0]);
        string reason = Advise.Reason(best, baseline);
        stdout.NewLine = "\n";
        if (png is not null)
        {
            AdviseChart.Write(png, ranked, baseline, top);
            stderr.WriteLine($"chart written to {png}");
        }
        if (json)
        {
            var options = new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase };
            stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { trace = path, operations = trace.Ops.Length, recommended = best.Attribute, reason, layouts = ranked }, options));
            return 0;
        }
        AdviseReport.Write(Console(stdout), ranked, baseline, top);
        stdout.WriteLine();
        stdout.WriteLine("Recommended:");
        stdout.WriteLine("  " + best.Attribute);
        stdout.WriteLine("  " + reason);
        return 0;
    }

    /// <summary>A Spectre console over <paramref name="stdout"/>: colours only on a terminal.</summary>
    private static IAnsiConsole Console(TextWriter stdout)
    {
        bool terminal = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 160; // a file or a pipe has no width: do not wrap the tables at 80
        }
        return console;
    }

    private static int InspectVerb(List<string> args, TextWriter stdout)
    {
        string path = Single(args, "an assembly");
        IReadOnlyList<Inspect.Entry> allocators = Inspect.Load(path);
        IAnsiConsole console = Console(stdout);
        Inspect.Print(console, path, allocators);
        return 0;
    }

    /// <summary>Loads a trace, turning every way a file can be wrong into one line (issue 9's rules).</summary>
    internal static AllocationTrace LoadTrace(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}", 1);
        }
        try
        {
            return AllocationTrace.Load(path);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or OutOfMemoryException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}", 1);
        }
    }

    private static string Single(List<string> args, string what)
    {
        string? unknown = args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option {unknown}.");
        }
        return args.Count == 1 ? args[0] : throw new UsageException(args.Count == 0 ? $"needs {what}." : $"takes one {what}, not {args.Count}.");
    }
}
