// Reads every instrument of a meter once, as a listener (dotnet-counters, OpenTelemetry) would.
using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Pymalloc.Tests;

internal static class MeterReadings
{
    /// <summary>The latest value of each of <paramref name="meter"/>'s instruments, by name.</summary>
    public static Dictionary<string, long> Observe(Meter meter)
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
