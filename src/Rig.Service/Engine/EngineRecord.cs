using Rig.Service.Channels;
using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>One thing the engine produced for the recorder or the event log, in order. Exactly one member is set.</summary>
public readonly record struct EngineRecord(
    TestStartRecord? Start = null,
    TestSampleRecord? Sample = null,
    CycleSummary? Cycle = null,
    TestEndRecord? End = null,
    RigEvent? Event = null);
