using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Store;
using Rig.Service.Thermal;

namespace Rig.Service.Telemetry;

/// <summary>
/// Every Mqtt:StatePeriod, each channel's state (tested or not: test, step, cycle, latest readings, active
/// interlocks and faults) is stored as the channel's latest state and queued as a retained message on "&lt;channel&gt;/state".
/// </summary>
public sealed class ChannelStatePublisher : BackgroundService
{
    private readonly RigStore _store;
    private readonly RigState _state;
    private readonly StoreTestRecorder _recorder;
    private readonly ITestControl? _control;
    private readonly IHeaterZoneControl? _zones;
    private readonly RigOptions _rig;
    private readonly MqttOptions _mqtt;
    private readonly TimeProvider _time;
    private readonly StoreAvailability? _availability;

    // control: the engine, absent on a rig without one (no test state in the message); zones: absent without heaters.
    public ChannelStatePublisher(RigStore store, RigState state, StoreTestRecorder recorder,
        IOptions<RigOptions> rig, IOptions<MqttOptions> mqtt, TimeProvider time, StoreAvailability? availability = null,
        ITestControl? control = null, IHeaterZoneControl? zones = null)
    {
        _availability = availability;
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(mqtt);
        _store = store;
        _state = state;
        _recorder = recorder;
        _control = control;
        _zones = zones;
        _rig = rig.Value;
        _mqtt = mqtt.Value;
        _time = time;
    }

    /// <summary>Stores and queues every channel's state now.</summary>
    public void PublishAll()
    {
        var status = _control?.Status() ?? [];
        var zones = _zones?.Status();
        var now = _time.GetUtcNow();
        foreach (var channelId in _rig.Channels.Keys)
        {
            var run = status.FirstOrDefault(s => s.ChannelId == channelId);
            var snapshot = _state.Channel(channelId);
            var latestTest = _recorder.LatestSample(channelId);
            var test = latestTest is not null && latestTest.TestId == run?.TestId ? latestTest : null;
            var context = ChannelContext.Of(_rig, channelId, zones);
            var interlocks = _state.Interlocks.Active(channelId);
            var json = StatePayload.Build(channelId, now, run, snapshot, test, null, context, interlocks);
            try
            {
                _store.SetChannelState(channelId, now, Encoding.UTF8.GetString(json), seq => StatePayload.Build(channelId, now, run, snapshot, test, seq, context, interlocks));
            }
            catch (Exception ex) when (StoreAvailability.IsUnavailable(ex))
            {
                // A full or read-only disk must not end this service (and with it the host): the channels are held
                // by the store interlock instead, and the state is published again once the store takes writes.
                _availability?.Failed(StoreAvailability.Database, ex);
                return;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_mqtt.StatePeriod, _time);
        try
        {
            do
            {
                PublishAll();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
