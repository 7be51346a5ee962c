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
          inspect <assembly.dll>
              Lists the allocators generated into a built assembly, with their size-class tables.
        presets: CPython311, CPython38, CPython27, CPython2718
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

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
                "inspect" => InspectVerb(rest, stdout),
                _ => throw new UsageException($"unknown verb '{verb}' (replay, inspect); pymalloc --help lists them."),
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

    private static int InspectVerb(List<string> args, TextWriter stdout)
    {
        string path = Single(args, "an assembly");
        IReadOnlyList<Inspect.Entry> allocators = Inspect.Load(path);
        // Colours only on a terminal: a file or a pipe gets plain text.
        bool terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
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
