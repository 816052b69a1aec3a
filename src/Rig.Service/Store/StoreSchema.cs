namespace Rig.Service.Store;

/// <summary>
/// The store's tables. Samples rest in chunks (sample_chunks) keyed by (test, first record index); the
/// newest samples of a test wait in samples, one row each, until they fill a chunk (see docs/telemetry.md for the
/// format and the measured bytes per sample).
/// </summary>
internal static class StoreSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS tests(
            test_key INTEGER PRIMARY KEY,
            test_id TEXT NOT NULL UNIQUE,
            channel_id TEXT NOT NULL,
            started_unix_ms INTEGER NOT NULL,
            ended_unix_ms INTEGER,
            final_state TEXT,
            start_json TEXT NOT NULL,
            end_json TEXT);
        CREATE TABLE IF NOT EXISTS samples(
            test_key INTEGER NOT NULL,
            record_index INTEGER NOT NULL,
            unix_ms INTEGER NOT NULL,
            test_time_s REAL NOT NULL,
            step_time_s REAL NOT NULL,
            cycle INTEGER NOT NULL,
            step_index INTEGER NOT NULL,
            step_type TEXT NOT NULL,
            voltage_V REAL NOT NULL,
            current_A REAL NOT NULL,
            step_capacity_Ah REAL NOT NULL,
            charge_capacity_Ah REAL NOT NULL,
            discharge_capacity_Ah REAL NOT NULL,
            force_N REAL,
            stack_pressure_Pa REAL,
            temperature_degC REAL,
            step_end INTEGER NOT NULL,
            PRIMARY KEY(test_key, record_index)) WITHOUT ROWID;
        -- Closed blocks of a test's samples (Store/Chunks/SampleChunk.cs; the blob's first byte is its format version).
        -- The table samples above holds each test's open tail, one row per sample, until it fills a chunk. A rowid
        -- table, not WITHOUT ROWID: an index b-tree keeps at most ~1 KB of a row on its page and spills the rest of a
        -- 2-4 KB chunk to an overflow page of its own (measured: half the file was overflow slack); a table leaf keeps it.
        CREATE TABLE IF NOT EXISTS sample_chunks(
            id INTEGER PRIMARY KEY,
            test_key INTEGER NOT NULL,
            first_index INTEGER NOT NULL,
            last_index INTEGER NOT NULL,
            sample_count INTEGER NOT NULL,
            min_cycle INTEGER NOT NULL,
            max_cycle INTEGER NOT NULL,
            data BLOB NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS sample_chunks_key ON sample_chunks(test_key, first_index);
        CREATE TABLE IF NOT EXISTS cycles(
            test_key INTEGER NOT NULL,
            cycle INTEGER NOT NULL,
            closed_unix_ms INTEGER NOT NULL,
            summary_json TEXT NOT NULL,
            PRIMARY KEY(test_key, cycle)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS events(
            id INTEGER PRIMARY KEY,
            unix_ms INTEGER NOT NULL,
            severity TEXT NOT NULL,
            source TEXT NOT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            fault_kind TEXT);
        CREATE TABLE IF NOT EXISTS channel_state(
            channel_id TEXT PRIMARY KEY,
            unix_ms INTEGER NOT NULL,
            state_json TEXT NOT NULL);
        -- The engine's checkpoint per channel, written in the same transaction as the records it covers (never ahead of them).
        CREATE TABLE IF NOT EXISTS checkpoints(
            channel_id TEXT PRIMARY KEY,
            test_id TEXT NOT NULL,
            unix_ms INTEGER NOT NULL,
            state_json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS rejected_checkpoints(
            id INTEGER PRIMARY KEY,
            channel_id TEXT NOT NULL,
            test_id TEXT NOT NULL,
            unix_ms INTEGER NOT NULL,
            state_json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS streams(
            stream TEXT PRIMARY KEY,
            last_seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            stream TEXT NOT NULL,
            seq INTEGER NOT NULL,
            topic TEXT NOT NULL,
            payload BLOB NOT NULL,
            retain INTEGER NOT NULL,
            created_unix_ms INTEGER NOT NULL,
            sent_unix_ms INTEGER);
        CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(id) WHERE sent_unix_ms IS NULL;
        -- Retained streams (state, history) replace their unsent version: without this a broker outage's backlog is scanned
        -- every few seconds by every channel.
        CREATE INDEX IF NOT EXISTS outbox_unsent_stream ON outbox(stream) WHERE sent_unix_ms IS NULL;
        -- Impedance spectra, one row per sweep, the whole document (points, fit, conductivity) as JSON (docs/impedance.md).
        CREATE TABLE IF NOT EXISTS spectra(
            id INTEGER PRIMARY KEY,
            test_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            unix_ms INTEGER NOT NULL,
            cycle INTEGER NOT NULL,
            step_index INTEGER NOT NULL,
            spectrum_json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS spectra_test ON spectra(test_id, id);
        -- Dry-run predictions (docs/engine.md, "Predicted vs actual"). A channel's latest completed dry run waits unbound
        -- (test_id NULL, at most one per channel); the next test started on the channel with the same protocol takes it
        -- (test_id set, so a later dry run cannot replace it); when that test ends its actual figures are filled in beside
        -- the predicted ones. Added to an older store by this CREATE on open (the schema only ever gains tables).
        CREATE TABLE IF NOT EXISTS predictions(
            id INTEGER PRIMARY KEY,
            channel_id TEXT NOT NULL,
            test_id TEXT UNIQUE,
            predicted_unix_ms INTEGER NOT NULL,
            protocol_name TEXT NOT NULL,
            duration_predicted_s REAL NOT NULL,
            cycles_predicted INTEGER NOT NULL,
            cycles_to_80_predicted INTEGER,
            last_capacity_predicted_mAh_cm2 REAL,
            prediction_json TEXT NOT NULL,
            compared_unix_ms INTEGER,
            duration_actual_s REAL,
            cycles_actual INTEGER,
            cycles_to_80_actual INTEGER,
            last_capacity_actual_mAh_cm2 REAL);
        CREATE UNIQUE INDEX IF NOT EXISTS predictions_waiting ON predictions(channel_id) WHERE test_id IS NULL;
        """;
}
