using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// Issue 14: abort, pause and all-off are served on their own lane and never wait behind a long command. The service
/// as composed (AddRig: simulated rig, real engine, SQLite store) over a real mosquitto; the long command is held
/// open by a gate, so nothing here depends on how fast the machine is.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class UrgentLaneTests() : WithMosquitto("rig-urgent-")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_abort_sent_behind_an_export_held_open_is_answered_and_carried_out_while_the_export_still_runs()
    {
        await using var rig = await ComposedRig.StartAsync(Broker.Port, Folder);
        var testId = await rig.StartCh1Async();
        // The store's writer commits in groups: under load the start record can still be queued, and an export of a
        // test the store does not know yet answers "unknown test" without ever opening the FIFO.
        await rig.WaitUntil(() => rig.Stored(testId), "the test's start record never reached the store");

        // The export's first file is a FIFO nobody reads yet: the exporter blocks opening it, as on a disk that hangs.
        var exports = Directory.CreateDirectory(Path.Combine(Folder, "exports")).FullName;
        var fifo = Path.Combine(exports, $"{testId}.bdf.csv");
        HostileFiles.MakeFifo(fifo);
        var export = rig.CommandAsync("export", $$"""{"test_id":"{{testId}}"}""");
        try
        {
            AssertOk(await rig.CommandAsync("abort", """{"channel":"ch1","reason":"urgent lane test"}"""));

            await rig.WaitUntil(() => rig.State("ch1") == RunState.Aborted && !rig.OutputOn("ch1"), "ch1 was not aborted with its output off");
            Assert.False(export.IsCompleted, "the export was not held open: the test proves nothing");
        }
        finally
        {
            // An export that already answered never opened the FIFO: draining it would wait for a writer that never comes
            // and hide the failed assertion above.
            if (!export.IsCompleted)
            {
                await DrainAsync(fifo);
            }
        }
        AssertOk(await export);
    }

    [Fact]
    public async Task A_pause_sent_behind_a_tare_held_open_is_answered_and_carried_out_while_the_tare_still_runs()
    {
        var clamps = new GatedClampCommands();
        await using var rig = await ComposedRig.StartAsync(Broker.Port, Folder, services => services.AddSingleton<IClampCommands>(clamps));
        await rig.StartCh1Async();

        var tared = await rig.WhileHeldAsync(clamps, "tare-clamp", """{"channel":"ch2"}""", async tare =>
        {
            AssertOk(await rig.CommandAsync("pause", """{"channel":"ch1","reason":"urgent lane test"}"""));

            await rig.WaitUntil(() => rig.State("ch1") == RunState.Paused && !rig.OutputOn("ch1"), "ch1 did not pause with its output off");
            Assert.False(tare.IsCompleted, "the tare was not held open: the test proves nothing");
        });
        AssertOk(tared);
    }

    [Fact]
    public async Task All_off_behind_a_held_tare_is_answered_and_turns_everything_off()
    {
        var clamps = new GatedClampCommands();
        await using var rig = await ComposedRig.StartAsync(Broker.Port, Folder, services => services.AddSingleton<IClampCommands>(clamps));
        await rig.StartCh1Async();

        await rig.WhileHeldAsync(clamps, "tare-clamp", """{"channel":"ch2"}""", async tare =>
        {
            AssertOk(await rig.CommandAsync("all-off", """{"reason":"urgent lane test"}"""));

            Assert.False(tare.IsCompleted, "the tare was not held open: the test proves nothing");
            Assert.False(rig.OutputOn("ch1"));
            Assert.Equal(0, rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions);
        });
    }

    [Fact]
    public async Task A_start_queued_behind_a_held_heater_change_is_superseded_by_an_abort_sent_after_it_and_starts_nothing()
    {
        var heaters = new GatedHeaterCommands();
        await using var rig = await ComposedRig.StartAsync(Broker.Port, Folder, services => services.AddSingleton<IHeaterCommands>(heaters));
        await rig.StartCh1Async();

        // A set-point change for ch1's zone, naming ch1 (allowed while its test runs), held open: ch1's lane is busy.
        Task<Received> restart = null!;
        var changed = await rig.WhileHeldAsync(heaters, "set-heater", """{"zone":"zone-a","setpoint_degC":40,"channel":"ch1"}""", async _ =>
        {
            var arrived = rig.CommandsArrived;
            restart = rig.CommandAsync("start", """{"channel":"ch1","preset":"plating-stripping-1mAh"}"""); // waits behind the heater change
            await rig.WaitUntil(() => rig.CommandsArrived > arrived, "the second start never arrived");

            AssertOk(await rig.CommandAsync("abort", """{"channel":"ch1","reason":"supersede test"}"""));
            await rig.WaitUntil(() => rig.State("ch1") == RunState.Aborted && !rig.OutputOn("ch1"), "ch1 was not aborted with its output off");
            Assert.False(restart.IsCompleted, "the start did not wait behind the heater change: the test proves nothing");
        });

        var superseded = await restart;
        Assert.False(superseded.Json.GetProperty("ok").GetBoolean(), superseded.Text);
        Assert.StartsWith("superseded by abort (supersede test)", superseded.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertOk(changed); // started before the abort: it ran to its end
        Assert.Equal(RunState.Aborted, rig.State("ch1"));
        Assert.False(rig.OutputOn("ch1"));
    }

    private static void AssertOk(Received reply) => Assert.True(reply.Json.GetProperty("ok").GetBoolean(), reply.Text);

    // Opening the FIFO for reading lets the exporter's open return; what it writes is read and thrown away.
    private static async Task DrainAsync(string fifo)
    {
        var drain = Task.Run(async () =>
        {
            await using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            await reader.CopyToAsync(Stream.Null);
        });
        await drain.WaitAsync(Patience);
    }

    /// <summary>A command area whose long command is held from its start until the test opens the gate.</summary>
    private abstract class GatedCommands
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected async Task<CommandResult> HeldAsync(string message, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
            return CommandResult.Ok(message);
        }
    }

    /// <summary>The heater area with its set-point change held until the test opens the gate.</summary>
    private sealed class GatedHeaterCommands : GatedCommands, IHeaterCommands
    {
        public Task<CommandResult> SetSetpointAsync(string zoneId, Temperature setpoint, CancellationToken cancellationToken) =>
            HeldAsync($"zone {zoneId} set-point {setpoint}", cancellationToken);
    }

    /// <summary>The clamp area with its tare held until the test opens the gate (a load cell that takes its time).</summary>
    private sealed class GatedClampCommands : GatedCommands, IClampCommands
    {
        public Task<CommandResult> TareAsync(string channelId, CancellationToken cancellationToken) =>
            HeldAsync($"{channelId} tared", cancellationToken);

        public Task<CommandResult> CalibrateAsync(string channelId, Force referenceForce, CancellationToken cancellationToken) =>
            Task.FromResult(CommandResult.Ok($"{channelId} calibrated"));
    }

    /// <summary>The service as Program composes it (AddRig), on the simulated rig, talking to the test's mosquitto.</summary>
    private sealed class ComposedRig : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly TestSubscriber _requester;
        private readonly string _root;

        private ComposedRig(IHost host, TestSubscriber requester, string root)
        {
            _host = host;
            _requester = requester;
            _root = root;
        }

        public RigHardware Hardware => _host.Services.GetRequiredService<RigHardware>();

        public static async Task<ComposedRig> StartAsync(int port, string directory, Action<IServiceCollection>? before = null)
        {
            var prefix = $"u{Guid.NewGuid():N}"[..9];
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(TestRig.SettingsWith(new Dictionary<string, string?>
            {
                ["Rig:SamplePeriod"] = "00:00:00.100",
                ["Rig:ReadoutPeriod"] = "00:00:00",
                ["Rig:StateDirectory"] = directory,
                ["Mqtt:Broker"] = "127.0.0.1",
                ["Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Mqtt:TopicPrefix"] = prefix,
                ["Mqtt:ClientId"] = $"svc-{Guid.NewGuid():N}",
            }));
            before?.Invoke(builder.Services);
            builder.Services.AddRig(builder.Configuration);
            var host = builder.Build();
            await host.StartAsync();
            var root = $"{prefix}/{host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RigOptions>>().Value.Id}";
            var requester = await TestSubscriber.ConnectAsync(port, $"{root}/reply/op/#");
            using var timeout = new CancellationTokenSource(Patience);
            await host.Services.GetRequiredService<Rig.Service.Telemetry.MqttConnection>().WaitConnectedAsync(timeout.Token);
            return new ComposedRig(host, requester, root);
        }

        /// <summary>Starts the 1 mAh plating-stripping preset on ch1 and waits for its output; the test's id.</summary>
        public async Task<string> StartCh1Async()
        {
            var started = await CommandAsync("start", """{"channel":"ch1","preset":"plating-stripping-1mAh"}""");
            AssertOk(started);
            await WaitUntil(() => OutputOn("ch1"), "ch1's output never came on");
            return started.Json.GetProperty("id").GetString()!;
        }

        /// <summary>
        /// Sends a command the gated area holds, runs <paramref name="meanwhile"/> (given the held command) once the
        /// area has it, then opens the gate, even when <paramref name="meanwhile"/> fails, and returns the held reply.
        /// </summary>
        public async Task<Received> WhileHeldAsync(GatedCommands area, string verb, string payload, Func<Task<Received>, Task> meanwhile)
        {
            var held = CommandAsync(verb, payload);
            await area.Entered.Task.WaitAsync(Patience);
            try
            {
                await meanwhile(held);
            }
            finally
            {
                area.Gate.TrySetResult();
            }
            return await held;
        }

        public bool OutputOn(string channel) => Hardware.Simulation.Instruments[channel].OutputOn;

        public bool Stored(string testId) => _host.Services.GetRequiredService<Rig.Service.Store.RigStore>().FindTest(testId) is not null;

        public long CommandsArrived => _host.Services.GetRequiredService<Rig.Service.Telemetry.MqttConnection>().CommandsArrived;

        public RunState State(string channel) =>
            _host.Services.GetRequiredService<ITestControl>().Status().Single(s => s.ChannelId == channel).State;

        /// <summary>Publishes the command and completes with its reply (matched by correlation data).</summary>
        public Task<Received> CommandAsync(string verb, string payload) =>
            _requester.RequestAsync($"{_root}/cmd/{verb}", payload, $"{_root}/reply/op/lanes", Patience);

        public async Task WaitUntil(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, what);
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _requester.DisposeAsync();
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
