namespace Rig.Service.Control;

/// <summary>
/// A request to start a test: a shipped preset by name, or a protocol document's text, plus parameter values
/// that override the protocol's own (e.g. "capacity": "3 mAh/cm2").
/// </summary>
public sealed record StartTestRequest(
    string ChannelId,
    string? Preset,
    string? ProtocolText,
    IReadOnlyDictionary<string, string>? Parameters = null,
    string? Operator = null,
    string? Notes = null);
