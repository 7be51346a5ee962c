// Starts MonoConsumer.dll's checks under Mono: Launcher.exe <trace.gz>
using System;
using System.IO;
using System.Reflection;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine($"runtime: {Type.GetType("Mono.Runtime")?.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static)?.Invoke(null, null) ?? Environment.Version.ToString()}, {IntPtr.Size * 8}-bit");
        string here = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        Assembly consumer = Assembly.LoadFrom(Path.Combine(here, "MonoConsumer.dll"));
        MethodInfo run = consumer.GetType("MonoConsumer.Checks", throwOnError: true)!.GetMethod("Run")!;
        return (int)run.Invoke(null, new object[] { args[0], Console.Out })!;
    }
}
