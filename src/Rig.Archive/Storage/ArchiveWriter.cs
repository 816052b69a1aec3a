using Npgsql;
using NpgsqlTypes;

namespace Rig.Archive.Storage;

/// <summary>What one committed batch changed.</summary>
public readonly record struct BatchResult(int SamplesInserted, int CyclesInserted, int EventsInserted, int Duplicates, int Rejected, int SpectraInserted = 0);

/// <summary>
/// Writes a batch in one transaction. Each table's rows go by binary COPY straight into the archive table, whose
/// primary key holds (rig, stream, seq). Duplicates are rare (a redelivery after a crash, a rig's outbox sending a
/// page again, a replay), so that is tried first inside a savepoint; if a key is already there (unique violation)
/// the savepoint is rolled back and the rows go by COPY into a temporary staging table and on with
/// INSERT … SELECT … ON CONFLICT DO NOTHING. Either way a duplicate changes nothing and the batch is all in or all out.
/// </summary>
public sealed class ArchiveWriter
{
    private const int StatementTimeoutSeconds = 300;
    private readonly ArchiveDatabase _database;
    private readonly KnownRows _known = new();

    public ArchiveWriter(ArchiveDatabase database) => _database = database;

    public async Task<BatchResult> WriteAsync(BatchRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await _database.EnsurePartitionsAsync(rows.Samples.Select(s => s.Time), cancellationToken);
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var samples = rows.Samples.Count == 0 ? 0 : await CopySamplesAsync(connection, tx, rows.Samples, cancellationToken);
        var cycles = rows.Cycles.Count == 0 ? 0 : await CopyCyclesAsync(connection, tx, rows.Cycles, cancellationToken);
        var events = rows.Events.Count == 0 ? 0 : await CopyEventsAsync(connection, tx, rows.Events, cancellationToken);
        var spectra = rows.Spectra.Count == 0 ? 0 : await InsertSpectraAsync(connection, tx, rows.Spectra, cancellationToken);
        var testStarts = NewTestStarts(rows);
        var newStreams = rows.Heads.Where(h => !_known.HasStream(h.Key)).ToList();
        await UpsertTestsAsync(connection, tx, testStarts, rows, cancellationToken);
        await UpsertStatesAsync(connection, tx, rows, cancellationToken);
        await UpsertRigsAsync(connection, tx, rows, cancellationToken);
        await InsertHeadsAsync(connection, tx, newStreams, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _known.Committed(newStreams.Select(h => h.Key), testStarts.Select(t => ((t.Rig, t.TestId), t.First)));
        var offered = rows.Samples.Count + rows.Cycles.Count + rows.Events.Count + rows.Spectra.Count;
        return new BatchResult(samples, cycles, events, offered - samples - cycles - events - spectra, rows.Rejected, spectra);
    }

    /// <summary>
    /// Rows go in key order: concurrent writers (Archive:Writers, or several instances) holding the same redelivered key
    /// then wait for each other in one order and never deadlock, and the primary key's b-tree is filled left to right.
    /// A batch within one month is copied straight into that month's partition, sparing PostgreSQL the routing per row.
    /// </summary>
    private static Task<int> CopySamplesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<SampleRow> rows, CancellationToken ct)
    {
        var ordered = rows.OrderBy(r => r.Rig, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal).ThenBy(r => r.Seq).ToList();
        var months = rows.Select(r => new DateOnly(r.Time.Year, r.Time.Month, 1)).Distinct().Take(2).ToList();
        var target = months.Count == 1 ? ArchiveDatabase.PartitionName(months[0]) : "samples";
        return InsertIdempotentAsync(connection, tx, "samples", "rig, channel, seq, time, test_id, test_time_s, step_time_s, cycle, step, step_type, " +
            "voltage_v, current_a, current_charging_a, step_capacity_ah, stack_pressure_mpa, force_n, temperature_degc, step_end", rows.Count, async copy =>
        {
            foreach (var r in ordered)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.Rig, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Channel, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.Time, NpgsqlDbType.TimestampTz, ct);
                await Text(copy, r.TestId, ct);
                await Double(copy, r.TestTimeS, ct);
                await Double(copy, r.StepTimeS, ct);
                await Integer(copy, r.Cycle, ct);
                await Integer(copy, r.Step, ct);
                await Text(copy, r.StepType, ct);
                await Double(copy, r.VoltageV, ct);
                await Double(copy, r.CurrentA, ct);
                await Double(copy, r.CurrentChargingA, ct);
                await Double(copy, r.StepCapacityAh, ct);
                await Double(copy, r.StackPressureMPa, ct);
                await Double(copy, r.ForceN, ct);
                await Double(copy, r.TemperatureDegC, ct);
                await copy.WriteAsync(r.StepEnd, NpgsqlDbType.Boolean, ct);
            }
        }, ct, target);
    }

    private static Task<int> CopyCyclesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<CycleRow> rows, CancellationToken ct) =>
        InsertIdempotentAsync(connection, tx, "cycles", "rig, channel, seq, time, test_id, cycle, charge_capacity_mah, discharge_capacity_mah, " +
            "charge_areal_capacity_mah_cm2, discharge_areal_capacity_mah_cm2, coulombic_efficiency, energy_efficiency, capacity_retention, " +
            "mean_stack_pressure_mpa, mean_temperature_degc, summary", rows.Count, async copy =>
        {
            foreach (var r in rows.OrderBy(r => r.Rig, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal).ThenBy(r => r.Seq))
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.Rig, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Channel, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.Time, NpgsqlDbType.TimestampTz, ct);
                await Text(copy, r.TestId, ct);
                await Integer(copy, r.Cycle, ct);
                await Double(copy, r.ChargeCapacityMAh, ct);
                await Double(copy, r.DischargeCapacityMAh, ct);
                await Double(copy, r.ChargeArealMAhCm2, ct);
                await Double(copy, r.DischargeArealMAhCm2, ct);
                await Double(copy, r.CoulombicEfficiency, ct);
                await Double(copy, r.EnergyEfficiency, ct);
                await Double(copy, r.CapacityRetention, ct);
                await Double(copy, r.MeanStackPressureMPa, ct);
                await Double(copy, r.MeanTemperatureDegC, ct);
                await copy.WriteAsync(r.Summary, NpgsqlDbType.Jsonb, ct);
            }
        }, ct);

    private static Task<int> CopyEventsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<EventRow> rows, CancellationToken ct) =>
        InsertIdempotentAsync(connection, tx, "events", "rig, seq, time, severity, source, code, message, fault_kind, fault_device", rows.Count, async copy =>
        {
            foreach (var r in rows.OrderBy(r => r.Rig, StringComparer.Ordinal).ThenBy(r => r.Seq))
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.Rig, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.Time, NpgsqlDbType.TimestampTz, ct);
                await Text(copy, r.Severity, ct);
                await Text(copy, r.Source, ct);
                await Text(copy, r.Code, ct);
                await Text(copy, r.Message, ct);
                await Text(copy, r.FaultKind, ct);
                await Text(copy, r.FaultDevice, ct);
            }
        }, ct);

    /// <summary>
    /// Spectra are a few a day per channel and ~4 kB each: plain INSERT … ON CONFLICT DO NOTHING, one statement per
    /// spectrum in key order (sent together as one batch), is simpler than COPY and costs nothing at that rate.
    /// </summary>
    private static async Task<int> InsertSpectraAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<SpectrumRow> rows, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx) { Timeout = StatementTimeoutSeconds };
        foreach (var r in rows.OrderBy(r => r.Rig, StringComparer.Ordinal).ThenBy(r => r.Channel, StringComparer.Ordinal).ThenBy(r => r.Seq))
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO spectra(rig, channel, seq, time, test_id, cycle, step, step_text, analyzer, started_at, ended_at, amplitude_v, bias_v,
                    points, points_used, relative_misfit, r_bulk_ohm, r_bulk_error_ohm, r_gb_ohm, r_int_ohm, ionic_conductivity_s_per_cm,
                    ionic_conductivity_error_s_per_cm, fit_problem, document)
                VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24::jsonb)
                ON CONFLICT DO NOTHING
                """);
            object[] values = [r.Rig, r.Channel, r.Seq, r.Time, Db(r.TestId), Db(r.Cycle), Db(r.Step), Db(r.StepText), Db(r.Analyzer),
                Db(r.StartedAt), Db(r.EndedAt), Db(r.AmplitudeV), Db(r.BiasV), r.Points, Db(r.PointsUsed), Db(r.RelativeMisfit), Db(r.RBulkOhm),
                Db(r.RBulkErrorOhm), Db(r.RGbOhm), Db(r.RIntOhm), Db(r.IonicConductivitySPerCm), Db(r.IonicConductivityErrorSPerCm),
                Db(r.FitProblem), r.Document];
            foreach (var value in values)
            {
                command.Parameters.Add(value is DateTime time
                    ? new NpgsqlParameter { Value = time, NpgsqlDbType = NpgsqlDbType.TimestampTz }
                    : new NpgsqlParameter { Value = value });
            }
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.CloseAsync();
        var inserted = 0;
        foreach (var command in batch.BatchCommands)
        {
            inserted += command.RecordsAffected;
        }
        return inserted;
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    /// <summary>COPY into the table directly; on a duplicate key, again through the staging table with ON CONFLICT DO NOTHING.</summary>
    private static async Task<int> InsertIdempotentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, string columns, int count,
        Func<NpgsqlBinaryImporter, Task> write, CancellationToken ct, string? directTarget = null)
    {
        await tx.SaveAsync("direct", ct);
        try
        {
            await CopyAsync(connection, directTarget ?? table, columns, write, ct);
            await tx.ReleaseAsync("direct", ct);
            return count;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("direct", ct);
        }
        // Created only here, when a duplicate came: the pool resets a connection (DISCARD ALL) when it is returned, so a table
        // created for every batch was three catalog inserts and a truncation at every commit for nothing.
        await Execute(connection, tx, $"CREATE TEMP TABLE IF NOT EXISTS stage_{table}(LIKE {table}) ON COMMIT DELETE ROWS", ct);
        await CopyAsync(connection, $"stage_{table}", columns, write, ct);
        return await Execute(connection, tx, $"INSERT INTO {table} SELECT * FROM stage_{table} ON CONFLICT DO NOTHING", ct);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, string columns, Func<NpgsqlBinaryImporter, Task> write, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table}({columns}) FROM STDIN (FORMAT BINARY)", ct);
        copy.Timeout = TimeSpan.FromSeconds(StatementTimeoutSeconds);
        await write(copy);
        await copy.CompleteAsync(ct);
    }

    /// <summary>
    /// The tests of this batch's samples not known to this process to have started by the batch's first sample of them.
    /// A test's last sample is not written per batch: the view test_overview reads it from the samples (index
    /// samples_test), so a running test costs no statement here.
    /// </summary>
    private List<(string Rig, string TestId, string Channel, DateTime First)> NewTestStarts(BatchRows rows) =>
        rows.Samples.Where(s => s.TestId is not null)
            .GroupBy(s => (s.Rig, TestId: s.TestId!))
            .Select(g => (g.Key.Rig, g.Key.TestId, g.First().Channel, First: g.Min(s => s.Time)))
            .Where(t => !_known.HasTestStartedBy((t.Rig, t.TestId), t.First))
            .OrderBy(t => t.Rig, StringComparer.Ordinal).ThenBy(t => t.TestId, StringComparer.Ordinal)
            .ToList();

    /// <summary>A test is known from its samples (channel, first sample time) and its channel's state (protocol, cell).</summary>
    private static async Task UpsertTestsAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<(string Rig, string TestId, string Channel, DateTime First)> fromSamples, BatchRows rows, CancellationToken ct)
    {
        if (fromSamples.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO tests(rig, test_id, channel, first_sample_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
                ON CONFLICT (rig, test_id) DO UPDATE SET first_sample_at = EXCLUDED.first_sample_at
                WHERE tests.first_sample_at IS NULL OR EXCLUDED.first_sample_at < tests.first_sample_at
                """, connection, tx);
            cmd.Parameters.AddWithValue(fromSamples.Select(t => t.Rig).ToArray());
            cmd.Parameters.AddWithValue(fromSamples.Select(t => t.TestId).ToArray());
            cmd.Parameters.AddWithValue(fromSamples.Select(t => t.Channel).ToArray());
            cmd.Parameters.AddWithValue(fromSamples.Select(t => t.First).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var fromStates = rows.States.Values.Where(s => s.TestId is not null)
            .OrderBy(s => s.Rig, StringComparer.Ordinal).ThenBy(s => s.TestId, StringComparer.Ordinal).ToList();
        if (fromStates.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO tests(rig, test_id, channel, protocol, cell_name, chemistry, area_cm2, run_state, state_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::timestamptz[])
                ON CONFLICT (rig, test_id) DO UPDATE SET
                    protocol = COALESCE(EXCLUDED.protocol, tests.protocol),
                    cell_name = COALESCE(EXCLUDED.cell_name, tests.cell_name),
                    chemistry = COALESCE(EXCLUDED.chemistry, tests.chemistry),
                    area_cm2 = COALESCE(EXCLUDED.area_cm2, tests.area_cm2),
                    run_state = CASE WHEN tests.state_at IS NULL OR tests.state_at <= EXCLUDED.state_at THEN EXCLUDED.run_state ELSE tests.run_state END,
                    state_at = GREATEST(tests.state_at, EXCLUDED.state_at)
                """, connection, tx);
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.Rig).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.TestId!).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.Channel).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.Protocol).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.CellName).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.Chemistry).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.AreaCm2).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.RunState).ToArray());
            cmd.Parameters.AddWithValue(fromStates.Select(s => s.Time).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The latest state per channel; an older state arriving late (a replayed backlog) does not overwrite a newer one.</summary>
    private static async Task UpsertStatesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, BatchRows rows, CancellationToken ct)
    {
        if (rows.States.Count == 0)
        {
            return;
        }
        var states = rows.States.Values.OrderBy(s => s.Rig, StringComparer.Ordinal).ThenBy(s => s.Channel, StringComparer.Ordinal).ToList();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO channel_now(rig, channel, seq, time, run_state, test_id, protocol, state)
            SELECT r, c, s, t, rs, ti, p, st::jsonb FROM unnest($1::text[], $2::text[], $3::int8[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[])
                AS u(r, c, s, t, rs, ti, p, st)
            ON CONFLICT (rig, channel) DO UPDATE SET seq = EXCLUDED.seq, time = EXCLUDED.time, run_state = EXCLUDED.run_state,
                test_id = EXCLUDED.test_id, protocol = EXCLUDED.protocol, state = EXCLUDED.state
            WHERE channel_now.time <= EXCLUDED.time
            """, connection, tx);
        cmd.Parameters.AddWithValue(states.Select(s => s.Rig).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.Channel).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.Seq).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.Time).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.RunState).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.TestId).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.Protocol).ToArray());
        cmd.Parameters.AddWithValue(states.Select(s => s.State).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task UpsertRigsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, BatchRows rows, CancellationToken ct)
    {
        foreach (var (rig, (online, at)) in rows.Status)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO rigs(rig, online, status_at) VALUES($1, $2, $3)
                ON CONFLICT (rig) DO UPDATE SET online = EXCLUDED.online, status_at = EXCLUDED.status_at
                """, connection, tx);
            cmd.Parameters.AddWithValue(rig);
            cmd.Parameters.AddWithValue(online);
            cmd.Parameters.AddWithValue(at);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        foreach (var (rig, (version, info, at)) in rows.Info)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO rigs(rig, software_version, info, info_at) VALUES($1, $2, $3::jsonb, $4)
                ON CONFLICT (rig) DO UPDATE SET software_version = EXCLUDED.software_version, info = EXCLUDED.info, info_at = EXCLUDED.info_at
                """, connection, tx);
            cmd.Parameters.AddWithValue(rig);
            cmd.Parameters.AddWithValue((object?)version ?? DBNull.Value);
            cmd.Parameters.AddWithValue(info);
            cmd.Parameters.AddWithValue(at);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// A stream_heads row for each stream this process has not seen yet; the gap monitor moves its high_seq from the
    /// samples' own keys (StreamHeads.RefreshAsync), so a known stream costs no statement here.
    /// </summary>
    private static async Task InsertHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<KeyValuePair<(string Rig, string Stream), long>> heads,
        CancellationToken ct)
    {
        if (heads.Count == 0)
        {
            return;
        }
        // Key order: two writers inserting the same new streams wait for each other in one order and never deadlock.
        var ordered = heads.OrderBy(h => h.Key.Rig, StringComparer.Ordinal).ThenBy(h => h.Key.Stream, StringComparer.Ordinal).ToList();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO stream_heads(rig, stream, high_seq, updated_at)
            SELECT r, s, h, now() FROM unnest($1::text[], $2::text[], $3::int8[]) AS u(r, s, h)
            ON CONFLICT (rig, stream) DO NOTHING
            """, connection, tx);
        cmd.Parameters.AddWithValue(ordered.Select(h => h.Key.Rig).ToArray());
        cmd.Parameters.AddWithValue(ordered.Select(h => h.Key.Stream).ToArray());
        cmd.Parameters.AddWithValue(ordered.Select(h => h.Value).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = StatementTimeoutSeconds };
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static Task Text(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static Task Double(NpgsqlBinaryImporter copy, double? value, CancellationToken ct) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.Double, ct) : copy.WriteNullAsync(ct);

    private static Task Integer(NpgsqlBinaryImporter copy, int? value, CancellationToken ct) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.Integer, ct) : copy.WriteNullAsync(ct);
}
