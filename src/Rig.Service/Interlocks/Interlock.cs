namespace Rig.Service.Interlocks;

/// <summary>
/// One condition that holds a channel (Bluesky's suspender: it holds the run and says what resumes it). While any is
/// active on a channel the channel's loop keeps its output off, a running test pauses, and start and resume are refused.
/// </summary>
/// <param name="Kind">What it is.</param>
/// <param name="Source">Who raised it and watches it: a device ("sim-loadcell:ch1"), a zone ("zone-a"), "e-stop", "store", "operator".</param>
/// <param name="Since">Rig time it was raised.</param>
/// <param name="Reason">What happened, for a person (with the value that tripped it).</param>
public sealed record Interlock(InterlockKind Kind, string Source, DateTimeOffset Since, string Reason)
{
    /// <summary>True when only an operator can clear it (after checking the cause); false when it clears itself once its source reads good again.</summary>
    public bool Latched => InterlockRules.IsLatched(Kind);

    /// <summary>What clears it, for the operator.</summary>
    public string ClearedBy => InterlockRules.ClearedBy(Kind, Source);

    /// <summary>"kind from source since time: reason; clears: ..." for replies and logs.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Kind} ({Source}, since {Since:HH:mm:ss}Z): {Reason}; {ClearedBy}");
}
