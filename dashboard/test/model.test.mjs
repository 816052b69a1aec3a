// Unit tests of the page's logic that needs no browser: `node --test test/` (run by DashboardUnitTests in dotnet test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration, runLine, timeLeft } from '../src/js/format.js';
import { Channel, Model } from '../src/js/model.js';
import { zoneLine } from '../src/js/operator.js';
import { parseParameters } from '../src/js/operator.js';

const sample = (seq, t, extra = {}) => ({ seq, unix_time_s: t, test_id: 't1', voltage_V: 0.01 * seq, current_A: -0.001, stack_pressure_MPa: 10, temperature_degC: 40, ...extra });

test('a telemetry seq seen before is dropped (delivery is at least once)', () => {
  const channel = new Channel('rig-01', 'ch1');
  for (const seq of [1, 2, 3, 2, 3, 4]) { channel.onTelemetry(sample(seq, 1000 + seq)); }
  assert.deepEqual(channel.electrical.columns.t, [1001, 1002, 1003, 1004]);
});

test('a new test id restarts the seq check (a rig whose store was replaced counts from 1 again)', () => {
  const channel = new Channel('rig-01', 'ch1');
  channel.onTelemetry(sample(50, 1000));
  channel.onTelemetry(sample(1, 2000, { test_id: 't2' }));
  assert.equal(channel.electrical.length, 2);
});

test('points arriving out of time order are inserted in order, a repeated time once', () => {
  const channel = new Channel('rig-01', 'ch1');
  channel.onTelemetry(sample(1, 10));
  channel.onTelemetry(sample(2, 30));
  channel.onState({ test_id: 't1', run_state: 'running', sampled_at: new Date(20_000).toISOString(), voltage_V: 1, current_A: 0 });
  channel.onState({ test_id: 't1', run_state: 'running', sampled_at: new Date(30_000).toISOString(), voltage_V: 9, current_A: 0 });
  assert.deepEqual(channel.electrical.columns.t, [10, 20, 30]);
  assert.equal(channel.electrical.columns.voltage[2], 0.02); // the sample at 30 s came first and stays
});

test('live readings are the newest of the last sample and the retained state', () => {
  const channel = new Channel('rig-01', 'ch1');
  channel.onState({ test_id: 't1', run_state: 'running', sampled_at: new Date(5_000).toISOString(), voltage_V: 1.5 });
  channel.onTelemetry(sample(1, 6, { voltage_V: 1.7 }));
  assert.equal(channel.live.voltage_V, 1.7);
  channel.onState({ test_id: 't1', run_state: 'paused', sampled_at: new Date(7_000).toISOString(), voltage_V: 1.2 });
  assert.equal(channel.live.voltage_V, 1.2);
});

test('a recent trace fills the live traces in time order beside what arrived live', () => {
  const channel = new Channel('rig-01', 'ch1');
  channel.onTelemetry(sample(9, 500));
  channel.onRecent({ test_id: 't1', unix_time_s: [100, 200, 500], voltage_V: [1, 2, 5], current_A: [0.001, null, 0.005], stack_pressure_MPa: [10, 10, 10], temperature_degC: [40, null, 40] });
  assert.deepEqual(channel.electrical.columns.t, [100, 200, 500]);
  assert.deepEqual(channel.electrical.columns.currentMilliamps, [1, null, -1]);
  assert.deepEqual(channel.environment.columns.temperature, [40, null, 40]);
});

test('history keeps the curves of every cycle seen for the test and forgets them for a new test', () => {
  const channel = new Channel('rig-01', 'ch1');
  const history = (testId, cycles, curves) => ({ test_id: testId, cycles: { cycle: cycles, coulombic_efficiency_1: cycles.map(() => 0.99) }, curves: curves.map(c => ({ cycle: c })) });
  channel.onHistory(history('t1', [1, 2, 3, 4], [1, 2, 3, 4]));
  channel.onHistory(history('t1', [1, 2, 3, 4, 5, 6], [1, 2, 3, 5, 6]));
  assert.deepEqual([...channel.curves.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  assert.equal(channel.cyclesClosed, 6);
  channel.onHistory(history('t2', [], []));
  assert.equal(channel.curves.size, 0);
  assert.equal(channel.cyclesClosed, 0);
});

test('a cycle message between two history messages is appended once', () => {
  const channel = new Channel('rig-01', 'ch1');
  channel.onHistory({ test_id: 't1', cycles: { cycle: [1], coulombic_efficiency_1: [0.93] }, curves: [] });
  channel.onCycle({ seq: 7, test_id: 't1', cycle: 2, coulombic_efficiency_1: 0.999 });
  channel.onCycle({ seq: 7, test_id: 't1', cycle: 2, coulombic_efficiency_1: 0.999 });
  channel.onCycle({ seq: 8, test_id: 'other', cycle: 9, coulombic_efficiency_1: 0.5 });
  assert.deepEqual(channel.history.cycles.cycle, [1, 2]);
  assert.deepEqual(channel.history.cycles.coulombic_efficiency_1, [0.93, 0.999]);
});

test('rig events are kept newest first without duplicates', () => {
  const model = new Model();
  for (const seq of [1, 2, 2, 3]) { model.onEvent('rig-01', { seq, severity: 'warning', code: 'x', message: `e${seq}` }); }
  assert.deepEqual(model.events.map(e => e.seq), [3, 2, 1]);
});

test('start parameters are "name = value" lines; anything else is refused with the line', () => {
  assert.deepEqual(parseParameters('capacity = 3 mAh/cm2\n\ncurrent: 1 mA/cm2 \n'), { capacity: '3 mAh/cm2', current: '1 mA/cm2' });
  assert.throws(() => parseParameters('3 mAh/cm2'), /not "name = value": 3 mAh\/cm2/);
});

test('run line and time left read as a lab reads them', () => {
  // The service's step index counts from 0; the page counts steps from 1, as an operator does.
  assert.equal(runLine({ run_state: 'running', test_id: 't', step: 2, cycle: 12, cycles_planned: 403 }), 'running · step 3 of cycle 12 / 403');
  assert.equal(runLine({ run_state: 'idle' }), 'idle');
  assert.equal(timeLeft({ run_state: 'running', time_left_s: 3 * 3600 + 12 * 60, time_left_estimated: true }), '≈ 3 h 12 min left');
  assert.equal(timeLeft({ run_state: 'running', time_left_s: 90, time_left_estimated: false }), '1 min 30 s left');
  assert.equal(timeLeft({ run_state: 'running', time_left_s: null }), 'time left not knowable yet');
  assert.equal(timeLeft({ run_state: 'finished', time_left_s: 5 }), null);
  assert.equal(duration(2 * 86400 + 5 * 3600), '2 d 5 h');
});

test('a zone state message lands on its rig, and the zone line shows progress and a proposal', () => {
  const model = new Model();
  const connection = new EventTarget();
  model.attach(connection);
  const body = { zone: 'die-block', mode: 'autotuning', gains: { kp_per_K: 0.8, ki_per_K_s: 0.004, kd_s_per_K: 9 },
    autotune: { target_degC: 40, peaks: 5, peaks_wanted: 12 } };
  connection.dispatchEvent(new CustomEvent('zone-state', { detail: { rig: 'rig-01', zone: 'die-block', body } }));
  assert.equal(model.rigs.get('rig-01').zones.get('die-block'), body);
  assert.equal(zoneLine(body), 'autotuning · Kp 0.8 Ki 0.004 Kd 9 · autotune around 40 °C, peak 5 of 12');
  const done = { ...body, mode: 'regulating', autotune: undefined, proposal: { gains: { kp_per_K: 0.5617, ki_per_K_s: 0.002279, kd_s_per_K: 9.985 } } };
  assert.equal(zoneLine(done), 'regulating · Kp 0.8 Ki 0.004 Kd 9 · proposed Kp 0.5617 Ki 0.002279 Kd 9.985');
});

test('the zone line shows the thermal cut-out where one is fitted', () => {
  const gains = { kp_per_K: 0.8, ki_per_K_s: 0.004, kd_s_per_K: 9 };
  assert.equal(zoneLine({ mode: 'regulating', gains }), 'regulating · Kp 0.8 Ki 0.004 Kd 9');
  assert.equal(zoneLine({ mode: 'regulating', gains, cut_out: { open: false } }), 'regulating · Kp 0.8 Ki 0.004 Kd 9 · cut-out closed');
  assert.equal(zoneLine({ mode: 'faulted', gains, fault: { kind: 'CutOut' }, cut_out: { open: true } }),
    'faulted · Kp 0.8 Ki 0.004 Kd 9 · FAULT CutOut · CUT-OUT OPEN');
});
