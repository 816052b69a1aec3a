namespace Rig.Archive.Storage;

/// <summary>
/// The archive's schema as numbered migrations, applied in order at start-up, each in its own transaction and
/// recorded in schema_migrations; an advisory lock keeps two archive instances from migrating at once. A
/// migration once shipped is never edited: changes come as the next number.
/// </summary>
internal static class ArchiveSchema
{
    /// <summary>Key of the advisory lock taken while migrating (any constant shared by all instances).</summary>
    public const long MigrationLock = 0x41_4E_4F_44_45_52_49_47; // "ANODERIG"

    public static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "tables: rigs, tests, samples (monthly partitions), cycles, events, channel_now, stream_heads, gaps", """
            CREATE TABLE rigs(
                rig text PRIMARY KEY,
                online boolean,
                status_at timestamptz,
                software_version text,
                info jsonb,
                info_at timestamptz);
            CREATE TABLE tests(
                rig text NOT NULL,
                test_id text NOT NULL,
                channel text NOT NULL,
                protocol text,
                cell_name text,
                chemistry text,
                area_cm2 double precision,
                first_sample_at timestamptz,
                last_sample_at timestamptz,
                run_state text,
                state_at timestamptz,
                PRIMARY KEY(rig, test_id));
            CREATE INDEX tests_cell ON tests(cell_name);
            -- Range-partitioned by sample time, one partition per month (created as data arrives): old months are
            -- dropped whole for retention, and queries on a time range touch only their months.
            CREATE TABLE samples(
                rig text NOT NULL,
                channel text NOT NULL,
                seq bigint NOT NULL,
                time timestamptz NOT NULL,
                test_id text,
                test_time_s double precision,
                step_time_s double precision,
                cycle integer,
                step integer,
                step_type text,
                voltage_v double precision,
                current_a double precision,
                current_charging_a double precision,
                step_capacity_ah double precision,
                stack_pressure_mpa double precision,
                force_n double precision,
                temperature_degc double precision,
                step_end boolean NOT NULL,
                PRIMARY KEY(rig, channel, seq, time)) PARTITION BY RANGE(time);
            CREATE INDEX samples_test ON samples(rig, test_id, time);
            CREATE TABLE cycles(
                rig text NOT NULL,
                channel text NOT NULL,
                seq bigint NOT NULL,
                time timestamptz NOT NULL,
                test_id text,
                cycle integer,
                charge_capacity_mah double precision,
                discharge_capacity_mah double precision,
                charge_areal_capacity_mah_cm2 double precision,
                discharge_areal_capacity_mah_cm2 double precision,
                coulombic_efficiency double precision,
                energy_efficiency double precision,
                capacity_retention double precision,
                mean_stack_pressure_mpa double precision,
                mean_temperature_degc double precision,
                summary jsonb NOT NULL,
                PRIMARY KEY(rig, channel, seq));
            CREATE INDEX cycles_test ON cycles(rig, test_id, cycle);
            CREATE TABLE events(
                rig text NOT NULL,
                seq bigint NOT NULL,
                time timestamptz NOT NULL,
                severity text,
                source text,
                code text,
                message text,
                fault_kind text,
                fault_device text,
                PRIMARY KEY(rig, seq));
            CREATE INDEX events_time ON events(time);
            CREATE TABLE channel_now(
                rig text NOT NULL,
                channel text NOT NULL,
                seq bigint NOT NULL,
                time timestamptz NOT NULL,
                run_state text,
                test_id text,
                protocol text,
                state jsonb NOT NULL,
                PRIMARY KEY(rig, channel));
            -- Per gap-free stream: the highest seq archived and the seq up to which nothing is missing.
            CREATE TABLE stream_heads(
                rig text NOT NULL,
                stream text NOT NULL,
                high_seq bigint NOT NULL,
                contiguous_seq bigint NOT NULL DEFAULT 0,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY(rig, stream));
            CREATE TABLE gaps(
                rig text NOT NULL,
                stream text NOT NULL,
                from_seq bigint NOT NULL,
                to_seq bigint NOT NULL,
                detected_at timestamptz NOT NULL,
                replay_requests integer NOT NULL DEFAULT 0,
                last_request_at timestamptz,
                closed_at timestamptz,
                given_up_at timestamptz,
                PRIMARY KEY(rig, stream, from_seq, to_seq));
            CREATE INDEX gaps_open ON gaps(rig, stream) WHERE closed_at IS NULL AND given_up_at IS NULL;
            """),
        (2, "views: lab_channels_now, test_overview, cycle_summaries, open_gaps", """
            CREATE VIEW lab_channels_now AS
                SELECT c.rig, c.channel, c.time AS state_at, c.run_state, c.test_id, c.protocol,
                       c.state->'cell'->>'name' AS cell_name,
                       (c.state->>'voltage_V')::double precision AS voltage_v,
                       (c.state->>'current_A')::double precision AS current_a,
                       (c.state->>'stack_pressure_MPa')::double precision AS stack_pressure_mpa,
                       (c.state->>'temperature_degC')::double precision AS temperature_degc,
                       (c.state->>'cycle')::integer AS cycle,
                       jsonb_array_length(COALESCE(c.state->'faults', '[]'::jsonb)) AS faults,
                       COALESCE(r.online, false) AS rig_online
                FROM channel_now c LEFT JOIN rigs r USING (rig);
            CREATE VIEW test_overview AS
                SELECT t.rig, t.test_id, t.channel, t.protocol, t.cell_name, t.chemistry, t.area_cm2,
                       t.first_sample_at AS started_at, t.last_sample_at, t.run_state,
                       (SELECT max(y.cycle) FROM cycles y WHERE y.rig = t.rig AND y.test_id = t.test_id) AS cycles_closed
                FROM tests t;
            CREATE VIEW cycle_summaries AS
                SELECT y.rig, y.test_id, t.cell_name, t.chemistry, t.protocol, y.channel, y.cycle, y.time AS closed_at,
                       y.charge_capacity_mah, y.discharge_capacity_mah, y.charge_areal_capacity_mah_cm2,
                       y.discharge_areal_capacity_mah_cm2, y.coulombic_efficiency, y.energy_efficiency,
                       y.capacity_retention, y.mean_stack_pressure_mpa, y.mean_temperature_degc
                FROM cycles y LEFT JOIN tests t ON t.rig = y.rig AND t.test_id = y.test_id;
            CREATE VIEW open_gaps AS
                SELECT * FROM gaps WHERE closed_at IS NULL;
            """),
        (3, "impedance spectra: table spectra, views spectrum_overview and spectrum_points", """
            -- One row per sweep from <channel>/spectrum (docs/impedance.md), idempotent on the rig's (rig, stream, seq)
            -- like every other stream; the headline fit numbers as columns, the whole document (points, every fit
            -- parameter with its standard error) as jsonb.
            CREATE TABLE spectra(
                rig text NOT NULL,
                channel text NOT NULL,
                seq bigint NOT NULL,
                time timestamptz NOT NULL,
                test_id text,
                cycle integer,
                step integer,
                step_text text,
                analyzer text,
                started_at timestamptz,
                ended_at timestamptz,
                amplitude_v double precision,
                bias_v double precision,
                points integer NOT NULL,
                points_used integer,
                relative_misfit double precision,
                r_bulk_ohm double precision,
                r_bulk_error_ohm double precision,
                r_gb_ohm double precision,
                r_int_ohm double precision,
                ionic_conductivity_s_per_cm double precision,
                ionic_conductivity_error_s_per_cm double precision,
                fit_problem text,
                document jsonb NOT NULL,
                PRIMARY KEY(rig, channel, seq));
            CREATE INDEX spectra_test ON spectra(rig, test_id, cycle);
            CREATE VIEW spectrum_overview AS
                SELECT s.rig, s.channel, s.seq, s.test_id, t.cell_name, t.chemistry, s.cycle, s.step, s.ended_at, s.amplitude_v, s.bias_v,
                       s.points, s.points_used, s.relative_misfit, s.r_bulk_ohm, s.r_bulk_error_ohm, s.r_gb_ohm, s.r_int_ohm,
                       s.ionic_conductivity_s_per_cm, s.ionic_conductivity_error_s_per_cm, s.fit_problem
                FROM spectra s LEFT JOIN tests t ON t.rig = s.rig AND t.test_id = s.test_id;
            -- Every measured point of every spectrum, one row each (Nyquist: z_re_ohm against minus_z_im_ohm).
            CREATE VIEW spectrum_points AS
                SELECT s.rig, s.channel, s.seq, s.test_id, s.cycle, s.ended_at, p.point::integer AS point,
                       p.f::double precision AS f_hz,
                       (s.document->'points'->'z_re_ohm'->>(p.point::integer - 1))::double precision AS z_re_ohm,
                       (s.document->'points'->'z_im_ohm'->>(p.point::integer - 1))::double precision AS z_im_ohm,
                       -(s.document->'points'->'z_im_ohm'->>(p.point::integer - 1))::double precision AS minus_z_im_ohm,
                       s.document->'points'->'status'->>(p.point::integer - 1) AS status
                FROM spectra s CROSS JOIN LATERAL jsonb_array_elements_text(s.document->'points'->'f_Hz') WITH ORDINALITY AS p(f, point);
            """),
        (4, "bookkeeping tables updated by every batch (stream_heads, tests, channel_now) keep half of each page free for HOT updates", """
            -- One row per stream or test, rewritten by nearly every batch (a lab at 1 Hz per channel moves every head every
            -- second). With full pages only ~13 % of those updates were HOT (measured): the rest wrote a new index entry
            -- each and bloated the tables. Half-empty pages let an update stay on its page, index untouched. The tables
            -- are small (a row per stream), so they are rewritten here once, under the new setting (CLUSTER on a named
            -- table may run inside the migration's transaction; it holds its lock for the moment the rewrite takes).
            ALTER TABLE stream_heads SET (fillfactor = 50);
            ALTER TABLE tests SET (fillfactor = 50);
            ALTER TABLE channel_now SET (fillfactor = 50);
            CLUSTER stream_heads USING stream_heads_pkey;
            CLUSTER tests USING tests_pkey;
            CLUSTER channel_now USING channel_now_pkey;
            """),
        (5, "tests.last_sample_at read from the samples by the view test_overview instead of written by every batch", """
            -- Every batch moved the last sample of nearly every running test: one row update per sample (measured: a
            -- quarter of PostgreSQL's time on the ingest path). The samples already hold it, and index samples_test
            -- (rig, test_id, time) finds it with one probe per month from the test's first sample on.
            CREATE OR REPLACE VIEW test_overview AS
                SELECT t.rig, t.test_id, t.channel, t.protocol, t.cell_name, t.chemistry, t.area_cm2,
                       t.first_sample_at AS started_at,
                       (SELECT max(s.time) FROM samples s
                        WHERE s.rig = t.rig AND s.test_id = t.test_id AND s.time >= t.first_sample_at) AS last_sample_at,
                       t.run_state,
                       (SELECT max(y.cycle) FROM cycles y WHERE y.rig = t.rig AND y.test_id = t.test_id) AS cycles_closed
                FROM tests t;
            ALTER TABLE tests DROP COLUMN last_sample_at;
            """),
    ];
}
