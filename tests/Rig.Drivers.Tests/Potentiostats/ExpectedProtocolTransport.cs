using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>
/// A transport that expects an exact exchange, in the manner of PyMeasure's <c>expected_protocol</c>: each entry is
/// a message the driver must send and the answer the instrument gives (null for commands). A message out of
/// order fails the test at once with both strings; <see cref="AssertAllExchanged"/> fails if any were not sent.
/// </summary>
internal sealed class ExpectedProtocolTransport : IScpiTransport
{
    private readonly Queue<(string Sent, string? Reply)> _expected;
    private string? _pendingReply;

    public ExpectedProtocolTransport(IEnumerable<(string Sent, string? Reply)> exchange)
    {
        _expected = new Queue<(string, string?)>(exchange);
    }

    public string Address => "fake://expected-protocol";

    public bool IsConnected { get; private set; }

    public List<string> Sent { get; } = [];

    public ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        IsConnected = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteLineAsync(string message, CancellationToken cancellationToken)
    {
        Sent.Add(message);
        Assert.True(_expected.Count > 0, $"driver sent '{message}' after the expected exchange ended");
        var (sent, reply) = _expected.Dequeue();
        Assert.Equal(sent, message);
        _pendingReply = reply;
        return ValueTask.CompletedTask;
    }

    public ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        Assert.NotNull(_pendingReply);
        var reply = _pendingReply!;
        _pendingReply = null;
        return ValueTask.FromResult(reply);
    }

    public void Close() => IsConnected = false;

    public void AssertAllExchanged() =>
        Assert.True(_expected.Count == 0, $"driver never sent: {string.Join(" | ", _expected.Select(e => e.Sent))}");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
