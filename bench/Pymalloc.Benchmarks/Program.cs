// The benchmark runner. Modes:
//   (default)        the full suite, every peer side by side, results in BenchmarkDotNet.Artifacts
//                    and charts in docs/ (when run from the repository)
//   --quick          a smoke run of one case per workload, in-process, a few seconds
//   --resident       resident memory before and after a free-everything phase (the arena cache)
//   --memory         bytes of process memory per live object, 1M objects of 32 and 128 bytes
//   --charts DIR     redraw the charts in docs/ from a finished full run's CSV reports in DIR
//   any BenchmarkDotNet arguments (--filter *Pairs* ...) are passed through.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Pymalloc.Benchmarks;

public static class Program
{
    private const string Tunable = "glibc.rtld.optional_static_tls=2048";

    public static int Main(string[] args)
    {
        // jemalloc can only be dlopen'ed if the process started with more static TLS room.
        if (!(Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("optional_static_tls", StringComparison.Ordinal))
        {
            return Restart(args);
        }
        if (args.Contains("--memory-one"))
        {
            return MemoryProbe.RunOne(args[Array.IndexOf(args, "--memory-one") + 1], int.Parse(args[Array.IndexOf(args, "--memory-one") + 2]));
        }
        if (args.Contains("--charts"))
        {
            Charts.WriteFromCsv(args[Array.IndexOf(args, "--charts") + 1]);
            return 0;
        }
        if (args.Contains("--resident"))
        {
            Generated.AdoptHeaps();
            return MemoryProbe.Resident();
        }
        if (args.Contains("--memory"))
        {
            return MemoryProbe.RunAll();
        }

        RuntimeLayout.Configure(4, 512);
        PrintPeerNotes();
        bool quick = args.Contains("--quick");
        string[] rest = args.Where(a => a != "--quick").ToArray();

        Job job = quick
            ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(16).WithUnrollFactor(1).WithId("Quick")
            : Job.Default.WithWarmupCount(3).WithIterationCount(8).WithLaunchCount(1).WithId("Full");
        IConfig config = ManualConfig.CreateEmpty()
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(new NsPerTraceOpColumn())
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddFilter(new SimpleFilter(b => PeerAvailable(b.Descriptor.WorkloadMethod.Name)))
            .WithOption(ConfigOptions.DisableOptimizationsValidator, quick)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .AddJob(job);
        if (quick)
        {
            config = config.AddFilter(new SimpleFilter(b =>
                (b.Parameters["Size"] is null or 64)
                && (b.Parameters["Order"] is null or FreeOrder.Shuffled)
                && (b.Parameters["Trace"] is null or "s0_small")));
        }

        Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? new[] { "--filter", "*" } : rest, config).ToArray();
        // The charts in docs/ show the whole suite: a filtered run (--filter ...) leaves them alone.
        if (!quick && rest.Length == 0)
        {
            Charts.Write(summaries);
        }
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    internal static bool PeerAvailable(string method) => method switch
    {
        nameof(CPython) => CPython.Available,
        nameof(Mimalloc) => Mimalloc.Available,
        nameof(Jemalloc) => Jemalloc.Available,
        _ => true,
    };

    private static void PrintPeerNotes()
    {
        _ = CPython.Available && Mimalloc.Available && Jemalloc.Available;
        foreach (string note in Native.Notes)
        {
            Console.WriteLine("note: " + note);
        }
    }

    private static int Restart(string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        string existing = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        start.Environment["GLIBC_TUNABLES"] = existing.Length == 0 ? Tunable : existing + ":" + Tunable;
        using Process child = Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }
}
