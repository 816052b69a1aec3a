namespace Rig.Service.Recording;

/// <summary>A channel's engine state as the engine serialised it (JSON), to be kept with the records it covers.</summary>
public sealed record EngineCheckpoint(string ChannelId, string TestId, DateTimeOffset At, string Json);
