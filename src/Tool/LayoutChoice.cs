// The layout a command runs under: a preset, or the four numbers (each defaulting to the preset's,
// CPython 3.11's unless --preset says otherwise), judged by the generator's own rules, so a layout
// the tool accepts is exactly one [PymallocConfig(...)] accepts, and a refusal reads the same.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Pymalloc.Generator;

namespace Pymalloc.Tool;

internal static class LayoutChoice
{
    /// <summary>The preset names, as PymallocPreset spells them, by index.</summary>
    public static readonly string[] PresetNames = Enum.GetNames(typeof(PymallocPreset));

    /// <summary>Reads --preset, --alignment, --pool-size, --arena-size, --threshold out of
    /// <paramref name="args"/> (removing them); throws <see cref="UsageException"/> with the rule in words.</summary>
    public static LayoutConfig Parse(List<string> args) => Parse(args, out _);

    /// <summary>As <see cref="Parse(List{string})"/>; <paramref name="given"/> tells whether any layout option was given.</summary>
    public static LayoutConfig Parse(List<string> args, out bool given)
    {
        given = args.Any(a => a is "--preset" or "--alignment" or "--pool-size" or "--arena-size" or "--threshold");
        LayoutConfig preset = LayoutModel.Presets[(int)PymallocPreset.CPython311];
        string? presetText = Take(args, "--preset");
        if (presetText is not null)
        {
            int index = Array.FindIndex(PresetNames, n => string.Equals(n, presetText, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw new UsageException($"--preset {presetText} is not a preset; the presets are {string.Join(", ", PresetNames)}.");
            }
            preset = LayoutModel.Presets[(int)Enum.Parse<PymallocPreset>(PresetNames[index])];
        }
        int alignment = Number(args, "--alignment") ?? preset.Alignment;
        int poolSize = Number(args, "--pool-size") ?? preset.PoolSize;
        int arenaSize = Number(args, "--arena-size") ?? preset.ArenaSize;
        int threshold = Number(args, "--threshold") ?? preset.SmallRequestThreshold;
        bool custom = alignment != preset.Alignment || poolSize != preset.PoolSize || arenaSize != preset.ArenaSize || threshold != preset.SmallRequestThreshold;
        var config = new LayoutConfig(alignment, poolSize, arenaSize, threshold, custom ? preset.PresetName + ", changed" : preset.PresetName);
        Check(config);
        return config;
    }

    /// <summary>The layout a trace's header line says it was recorded with
    /// (<c>alignment=16 pool=4096 arena=262144 threshold=512</c>), or null if it does not say.</summary>
    public static LayoutConfig? FromHeader(string header)
    {
        int? Field(string name)
        {
            foreach (string part in header.Split(' '))
            {
                if (part.StartsWith(name + "=", StringComparison.Ordinal)
                    && int.TryParse(part.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                {
                    return value;
                }
            }
            return null;
        }
        int? alignment = Field("alignment"), pool = Field("pool"), arena = Field("arena"), threshold = Field("threshold");
        if (alignment is null || pool is null || arena is null || threshold is null)
        {
            return null;
        }
        var config = new LayoutConfig(alignment.Value, pool.Value, arena.Value, threshold.Value, "the trace's header");
        int preset = Array.FindIndex(LayoutModel.Presets, p => p with { PresetName = "" } == config with { PresetName = "" });
        return preset >= 0 ? LayoutModel.Presets[preset] : config;
    }

    /// <summary>Throws <see cref="UsageException"/> naming every rule <paramref name="config"/> breaks.</summary>
    public static void Check(LayoutConfig config)
    {
        var errors = LayoutModel.Validate(config);
        if (errors.Length != 0)
        {
            throw new UsageException(string.Join("; ", errors.Select(e =>
                e.Id + ": " + string.Format(CultureInfo.InvariantCulture, LayoutModel.RuleMessage(e.Id), e.Args))));
        }
    }

    /// <summary>The attribute that declares <paramref name="config"/>, as a line to paste.</summary>
    public static string Attribute(LayoutConfig config)
    {
        LayoutConfig d = LayoutModel.Presets[0];
        for (int i = 0; i < LayoutModel.Presets.Length; i++)
        {
            if (LayoutModel.Presets[i] == config with { PresetName = LayoutModel.Presets[i].PresetName })
            {
                return i == 0 ? "[assembly: PymallocConfig]" : $"[assembly: PymallocConfig(Preset = PymallocPreset.{PresetNames[i]})]";
            }
        }
        var parts = new List<string>();
        if (config.Alignment != d.Alignment) parts.Add($"Alignment = {config.Alignment}");
        if (config.PoolSize != d.PoolSize) parts.Add($"PoolSize = {config.PoolSize}");
        if (config.ArenaSize != d.ArenaSize) parts.Add($"ArenaSize = {config.ArenaSize}");
        if (config.SmallRequestThreshold != d.SmallRequestThreshold) parts.Add($"SmallRequestThreshold = {config.SmallRequestThreshold}");
        return $"[assembly: PymallocConfig({string.Join(", ", parts)})]";
    }

    public static string Describe(LayoutConfig c) => FormattableString.Invariant(
        $"ALIGNMENT {c.Alignment}, SMALL_REQUEST_THRESHOLD {c.SmallRequestThreshold}, POOL_SIZE {c.PoolSize}, ARENA_SIZE {c.ArenaSize} ({c.PresetName})");

    private static string? Take(List<string> args, string name)
    {
        int i = args.IndexOf(name);
        if (i < 0)
        {
            return null;
        }
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"{name} needs a value.");
        }
        string value = args[i + 1];
        args.RemoveRange(i, 2);
        return value;
    }

    private static int? Number(List<string> args, string name)
    {
        string? text = Take(args, name);
        if (text is null)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new UsageException($"{name} {text} is not a whole number of bytes.");
    }
}

/// <summary>A mistake in the command line or its input: reported in one line, exit code 2 (usage) or 1 (input).</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message, int exitCode = 2) : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }
}
