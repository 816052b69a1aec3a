using System.Text.Json;
using CsCheck;
using Rig.Service.Thermal.Cli;

namespace Rig.Service.Tests.Thermal;

/// <summary>The heater CLI's request payloads: valid JSON carrying the zone exactly, written without reflection.</summary>
public sealed class HeaterCliRequestTests
{
    [Fact]
    public void Any_zone_name_round_trips_through_the_payload()
    {
        Gen.String.Sample(zone =>
        {
            var request = HeaterCli.Request(["accept", zone], force: false);

            Assert.NotNull(request);
            using var payload = JsonDocument.Parse(request.Value.Payload);
            Assert.Equal(zone, payload.RootElement.GetProperty("zone").GetString());
        });
    }

    [Fact]
    public void Set_gains_and_a_forced_autotune_carry_their_numbers_and_flag()
    {
        var gains = HeaterCli.Request(["set-gains", "die-block", "0.8", "0.004", "9"], force: false)!.Value;
        var tune = HeaterCli.Request(["autotune", "blöck \"2\"", "38"], force: true)!.Value;

        Assert.Equal("set-gains", gains.Verb);
        Assert.Equal("""{"zone":"die-block","kp_per_K":0.8,"ki_per_K_s":0.004,"kd_s_per_K":9}""", gains.Payload);
        Assert.Equal("autotune-heater", tune.Verb);
        Assert.Equal("""{"zone":"blöck \"2\"","target_degC":38,"force":true}""", tune.Payload); // readable, not \u00F6
    }
}
