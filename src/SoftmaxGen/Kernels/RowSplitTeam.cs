using System.Diagnostics;
using System.Threading;

namespace SoftmaxGen.Kernels;

/// <summary>One phase of a split row: part <c>part</c> of <c>parts</c> does its share of the chunks.</summary>
internal interface IRowSplitPhase
{
    void RunPart(int part, int parts);
}

/// <summary>
/// Dedicated background threads for the parts of one row split across cores. A split is three passes over the row
/// with a hand-off before each; a thread-pool work item takes microseconds to start, a worker spinning on a counter
/// well under one, which is what makes a split of a vocabulary row (a few tens of microseconds of work) pay. A worker
/// spins for <see cref="SpinTime"/> after its last part and then blocks, so an idle process does not keep a core busy.
/// One split uses the team at a time; a split that finds it busy runs on its calling thread.
/// </summary>
internal sealed class RowSplitTeam
{
    /// <summary>How long a worker keeps spinning after a part before it blocks: 50 µs.</summary>
    private static readonly long SpinTime = Stopwatch.Frequency / 20_000;

    private static readonly object CreationGate = new();
    private static RowSplitTeam? shared;

    private readonly object gate = new();
    private readonly int workerCount;
    private int busy;
    private long generation;
    private int waiting;
    private int pending;
    private int parts;
    private IRowSplitPhase? phase;
    private Exception? failure;

    private RowSplitTeam(int workerCount)
    {
        this.workerCount = workerCount;
        for (int i = 0; i < workerCount; i++)
        {
            var thread = new Thread(Work) { IsBackground = true, Name = "SoftmaxGen row split" };
            thread.Start(i + 1);
        }
    }

    /// <summary>The most parts a split can run at once: one per core (the caller runs one).</summary>
    internal static int MaxParts => Environment.ProcessorCount;

    /// <summary>The team, reserved for the caller until <see cref="Release"/>; null when another split holds it or there is one core.</summary>
    internal static RowSplitTeam? TryAcquire()
    {
        if (MaxParts < 2)
            return null;
        RowSplitTeam? team = Volatile.Read(ref shared);
        if (team is null)
        {
            lock (CreationGate)
                team = shared ??= new RowSplitTeam(MaxParts - 1);
        }

        return Interlocked.CompareExchange(ref team.busy, 1, 0) == 0 ? team : null;
    }

    internal void Release() => Volatile.Write(ref busy, 0);

    /// <summary>Runs <paramref name="work"/> in <paramref name="count"/> parts (2 to <see cref="MaxParts"/>): part 0 on the calling thread, the others on the workers; returns when all are done.</summary>
    internal void Run(IRowSplitPhase work, int count)
    {
        Debug.Assert(count >= 2 && count <= workerCount + 1);
        phase = work;
        parts = count;
        failure = null;
        Volatile.Write(ref pending, workerCount); // every worker answers every phase, so none can lag one behind
        Interlocked.Increment(ref generation); // a full fence: the phase is visible before the new generation
        if (Volatile.Read(ref waiting) > 0)
        {
            lock (gate)
                Monitor.PulseAll(gate);
        }

        try
        {
            work.RunPart(0, count);
        }
        finally
        {
            // The workers' parts end within microseconds of this one: a tight spin first, SpinWait's yielding after.
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref pending) != 0 && Stopwatch.GetTimestamp() - start < SpinTime)
                Thread.SpinWait(1);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref pending) != 0)
                spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (failure is { } error)
            throw new AggregateException(error);
    }

    private void Work(object? state)
    {
        int index = (int)state!;
        long seen = 0;
        while (true)
        {
            long current = Volatile.Read(ref generation);
            if (current == seen)
            {
                long start = Stopwatch.GetTimestamp();
                while ((current = Volatile.Read(ref generation)) == seen && Stopwatch.GetTimestamp() - start < SpinTime)
                    Thread.SpinWait(1);

                if (current == seen)
                {
                    // Announce the wait before the last look at the counter (both full fences), so that Run either
                    // sees the waiter and pulses, or this thread sees the new generation.
                    Interlocked.Increment(ref waiting);
                    lock (gate)
                    {
                        while ((current = Volatile.Read(ref generation)) == seen)
                            Monitor.Wait(gate);
                    }

                    Interlocked.Decrement(ref waiting);
                }
            }

            seen = current;
            try
            {
                if (index < parts)
                    phase!.RunPart(index, parts);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }
}
