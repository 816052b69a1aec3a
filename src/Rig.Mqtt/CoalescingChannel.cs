using System.Buffers;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace Rig.Mqtt;

/// <summary>
/// A connection under MQTTnet's client whose writes are coalesced: MQTTnet writes every packet on its own (one send
/// system call, one TCP segment, one read on the broker's side each), so a publisher with a hundred QoS 1 messages in
/// flight pays a hundred sends. Here a packet is copied into a pending buffer and the write returns; one flush at a time
/// (on the thread pool) writes everything pending in one write, so the packets queued while a send is under way go out
/// together in the next. A lone packet is never held back: when no flush is running, one starts at once (no timer,
/// no Nagle). Bytes reach the socket in the order they were written, whole packets never split (the adapter is made
/// with fragmentation off, <see cref="WrappingAdapterFactory{TChannel}"/>). Reads are buffered (<see cref="BufferedChannel"/>).
/// <para>
/// A write that returned has only been accepted: if the socket then fails, the failure is kept, every later write
/// throws it, and the connection is closed so MQTTnet's receive loop ends and the client disconnects; a QoS 1 message
/// whose PUBACK never came is not acknowledged to the caller, so nothing is lost that a publisher counted as delivered.
/// More than <see cref="HighWaterBytes"/> pending makes the write wait for the flush (memory stays bounded when the
/// broker reads slower than the rig publishes).
/// </para>
/// <para>
/// A send can block for as long as the broker does not read (a full TCP window, a half-dead peer), so closing never
/// waits for the flush longer than <see cref="DisconnectFlushTimeout"/> on <paramref name="time"/>: then the socket
/// is closed anyway, which ends the blocked send.
/// </para>
/// </summary>
public sealed class CoalescingChannel(IMqttChannel inner, TimeProvider time) : BufferedChannel(inner)
{
    /// <summary>How long closing lets the pending bytes (the DISCONNECT among them) reach the socket.</summary>
    public static readonly TimeSpan DisconnectFlushTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Pending bytes past which a write waits for the flush to take them: ~700 telemetry messages.</summary>
    public const int HighWaterBytes = 256 * 1024;
    private readonly Lock _lock = new();
    private ArrayBufferWriter<byte> _pending = new(4096);
    // Owned by the running flush: the buffer being written, swapped with _pending each round.
    private ArrayBufferWriter<byte> _writing = new(4096);
    private Task _flush = Task.CompletedTask;
    private bool _flushing;
    private TaskCompletionSource? _taken;
    private Exception? _failure;
    private long _writes;

    /// <summary>Writes to the connection so far (each one send of one or more packets): for tests and the benchmark.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>
    /// Lets the pending bytes (MQTTnet's DISCONNECT among them) reach the socket first, for at most
    /// <see cref="DisconnectFlushTimeout"/>, then closes it.
    /// </summary>
    public override async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Task flush;
        lock (_lock)
        {
            flush = _flush;
        }
        try
        {
            await flush.WaitAsync(DisconnectFlushTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The broker has not taken the bytes: closing the socket below ends the send that waits for it.
        }
        finally
        {
            await base.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Accepts whole packets (or, with fragmentation on, consecutive parts of one) and returns; a flush writes them.</summary>
    public override Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(new MqttCommunicationException(_failure));
            }
            foreach (var segment in buffer)
            {
                _pending.Write(segment.Span);
            }
            if (!_flushing)
            {
                _flushing = true;
                _flush = Task.Run(FlushAsync, CancellationToken.None);
            }
            if (_pending.WrittenCount < HighWaterBytes)
            {
                return Task.CompletedTask;
            }
            _taken ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _taken.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            ArrayBufferWriter<byte> batch;
            TaskCompletionSource? taken;
            lock (_lock)
            {
                if (_pending.WrittenCount == 0)
                {
                    _flushing = false;
                    return;
                }
                (batch, _pending, _writing) = (_pending, _writing, _pending);
                (taken, _taken) = (_taken, null);
            }
            taken?.TrySetResult();
            try
            {
                await Inner.WriteAsync(new ReadOnlySequence<byte>(batch.WrittenMemory), true, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _writes);
            }
            catch (Exception ex)
            {
                Fail(ex);
                return;
            }
            batch.ResetWrittenCount();
        }
    }

    private void Fail(Exception failure)
    {
        TaskCompletionSource? taken;
        lock (_lock)
        {
            _failure = failure;
            _flushing = false;
            _pending.ResetWrittenCount();
            (taken, _taken) = (_taken, null);
        }
        taken?.TrySetException(new MqttCommunicationException(failure));
        // The receive loop is waiting for PUBACKs that will not come over a broken socket: closing it ends the loop.
        Dispose();
    }
}
