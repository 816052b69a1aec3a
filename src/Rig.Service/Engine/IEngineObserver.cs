using Rig.Service.Channels;

namespace Rig.Service.Engine;

/// <summary>
/// Hears each sample a channel's running test consumed, inside the engine's handling of it: under the channel's lock,
/// after the engine chose its command and before that command goes to the instrument. For per-step instrumentation and
/// diagnostics (registered through DI, <c>services.AddSingleton&lt;IEngineObserver, ...&gt;()</c>). Must be quick and
/// never wait. An exception from it is an exception inside the engine, handled as one: output off, test paused, a
/// latched <see cref="Interlocks.InterlockKind.LoopFailed"/> interlock naming it (docs/architecture.md, "Interlocks").
/// </summary>
public interface IEngineObserver
{
    void OnEngineSample(in EngineTick tick);
}

/// <summary>One sample as the engine consumed it: where the test stood and what it asked of the instrument.</summary>
public readonly record struct EngineTick(ChannelSample Sample, string TestId, int Cycle, int Instruction, string? StepText, EngineCommand Command);
