using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>A test as the store knows it: its start document, and its end document once it has ended.</summary>
public sealed record StoredTest(string TestId, string ChannelId, DateTimeOffset StartedAt, TestStartRecord Start, TestEndRecord? End, long SampleCount);
