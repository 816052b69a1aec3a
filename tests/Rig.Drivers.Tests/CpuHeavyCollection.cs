namespace Rig.Drivers.Tests;

/// <summary>
/// Tests that keep every core busy for seconds (CsCheck samples of numeric fits). They run alone, after the parallel
/// ones: beside them, the loopback socket tests' bounded waits timed out for want of a thread-pool thread, failing a
/// healthy driver now and then.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuHeavyCollection
{
    public const string Name = "CPU-heavy, run alone";
}
