using System.Globalization;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: the per-client token bucket and the command age rules, on a virtual clock.</summary>
public sealed class CommandRateLimitTests
{
    private const double Rate = 2;
    private const int Burst = 5;

    [Fact]
    public void A_client_gets_its_burst_then_is_told_when_to_retry_and_gets_tokens_back_with_time()
    {
        var time = new FakeTimeProvider();
        var limiter = new CommandRateLimiter(Rate, Burst, time);
        for (var i = 0; i < Burst; i++)
        {
            Assert.Null(limiter.TryTake("alice", "start"));
        }
        var wait = limiter.TryTake("alice", "start");
        Assert.Equal(TimeSpan.FromSeconds(0.5), wait);
        Assert.Null(limiter.TryTake("bob", "start")); // another client has its own bucket
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(limiter.TryTake("alice", "start"));
        Assert.NotNull(limiter.TryTake("alice", "start"));
    }

    [Theory]
    [InlineData("abort")]
    [InlineData("pause")]
    [InlineData("all-off")]
    public void Urgent_verbs_are_never_limited(string verb)
    {
        var limiter = new CommandRateLimiter(Rate, Burst, new FakeTimeProvider());
        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(limiter.TryTake("flooder", verb));
        }
        Assert.Null(limiter.TryTake("flooder", "start")); // and they take no token from the client's bucket
    }

    [Fact]
    public void Inventing_client_names_buys_no_more_than_the_shared_bucket_beyond_the_tracked_clients()
    {
        var limiter = new CommandRateLimiter(Rate, Burst, new FakeTimeProvider());
        var allowed = Enumerable.Range(0, 10_000).Count(i => limiter.TryTake($"name-{i}", "start") is null);
        Assert.True(allowed <= CommandRateLimiter.MaxClients * Burst + Burst, $"{allowed} allowed");
    }

    [Fact]
    public void Zero_rate_means_no_limit()
    {
        var limiter = new CommandRateLimiter(0, 1, new FakeTimeProvider());
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Null(limiter.TryTake("a", "start")));
    }

    [Fact]
    public void No_client_ever_runs_more_than_its_burst_plus_the_rate_times_the_elapsed_time_and_urgent_verbs_always_pass()
    {
        var step = Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 700]);
        step.Array[1, 400].Sample(steps =>
        {
            var time = new FakeTimeProvider();
            var limiter = new CommandRateLimiter(Rate, Burst, time);
            var start = time.GetUtcNow();
            var allowed = new int[4];
            foreach (var (client, urgent, advanceMs) in steps)
            {
                time.Advance(TimeSpan.FromMilliseconds(advanceMs));
                var wait = limiter.TryTake($"c{client}", urgent ? "abort" : "start");
                if (urgent)
                {
                    Assert.Null(wait);
                    continue;
                }
                if (wait is null)
                {
                    allowed[client]++;
                }
                else
                {
                    Assert.True(wait > TimeSpan.Zero && wait <= TimeSpan.FromSeconds(1 / Rate), $"retry in {wait}");
                }
                var bound = Burst + Rate * (time.GetUtcNow() - start).TotalSeconds;
                Assert.True(allowed[client] <= bound + 1e-9, $"client {client}: {allowed[client]} allowed, bound {bound}");
            }
        }, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void The_client_is_its_user_property_else_its_reply_subtree_else_unnamed()
    {
        const string root = "anodefreerig/rig-01/reply/";
        Assert.Equal("alice", CommandRateLimiter.ClientOf(Message(client: "alice", responseTopic: root + "bob/1"), root));
        Assert.Equal("bob", CommandRateLimiter.ClientOf(Message(responseTopic: root + "bob/1"), root));
        Assert.Equal(CommandRateLimiter.UnnamedClient, CommandRateLimiter.ClientOf(Message(responseTopic: "anodefreerig/rig-01/replies"), root));
        Assert.Equal(CommandRateLimiter.UnnamedClient, CommandRateLimiter.ClientOf(Message(client: new string('x', 65)), root));
        Assert.Equal(CommandRateLimiter.UnnamedClient, CommandRateLimiter.ClientOf(Message(client: "a\u0001b"), root));
    }

    [Theory]
    [InlineData("start", "-00:06:00", "stale: sent 6 min ago")]
    [InlineData("start", "00:02:00", "ahead of the rig's clock")]
    [InlineData("set-heater", "-01:00:00", "stale: sent 60 min ago")]
    [InlineData("abort", "-24:00:00", null)]
    [InlineData("start", "-00:04:00", null)]
    [InlineData("start", "00:00:30", null)]
    public void A_command_older_than_the_limit_by_its_sent_at_is_refused_except_an_urgent_one(string verb, string offset, string? refusal)
    {
        var now = DateTimeOffset.Parse("2026-12-03T06:00:00Z", CultureInfo.InvariantCulture);
        var sentAt = (now + TimeSpan.Parse(offset, CultureInfo.InvariantCulture)).ToString("O", CultureInfo.InvariantCulture);
        var problem = CommandAge.Problem(verb, Message(sentAt: sentAt), null, now, TimeSpan.FromMinutes(5));
        if (refusal is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(refusal, problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-12-03T06:00:00")]
    [InlineData("2026-13-03T06:00:00Z")]
    [InlineData("")]
    public void A_sent_at_that_is_not_a_time_with_an_offset_is_refused(string sentAt)
    {
        var problem = CommandAge.Problem("start", Message(sentAt: sentAt), null, DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(5));
        Assert.Contains("sent_at must be an ISO 8601 time with an offset", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_whose_message_expiry_ran_out_while_it_waited_in_the_service_is_refused()
    {
        var message = Message();
        message.MessageExpiryInterval = 30;
        Assert.Null(CommandAge.Problem("start", message, TimeSpan.FromSeconds(29), DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(5)));
        Assert.Contains("message expiry (30 s) ran out", CommandAge.Problem("start", message, TimeSpan.FromSeconds(30), DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(5)), StringComparison.Ordinal);
        Assert.Null(CommandAge.Problem("pause", message, TimeSpan.FromHours(1), DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(5)));
    }

    private static MqttApplicationMessage Message(string? client = null, string? responseTopic = null, string? sentAt = null)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic("anodefreerig/rig-01/cmd/start").WithPayload("{}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (client is not null)
        {
            builder.WithUserProperty(CommandRateLimiter.ClientProperty, System.Text.Encoding.UTF8.GetBytes(client).AsMemory());
        }
        if (sentAt is not null)
        {
            builder.WithUserProperty(CommandAge.SentAtProperty, System.Text.Encoding.UTF8.GetBytes(sentAt).AsMemory());
        }
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }
        return builder.Build();
    }
}
