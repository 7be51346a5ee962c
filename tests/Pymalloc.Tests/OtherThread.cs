// Runs a piece of a test on a thread of its own and hands back what it threw, for the thread-rule tests.
using System;
using System.Threading;

namespace Pymalloc.Tests;

internal static class OtherThread
{
    /// <summary>Runs <paramref name="action"/> on a new thread, waits for it, and returns its exception (null if none).</summary>
    public static Exception? Run(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure;
    }
}
