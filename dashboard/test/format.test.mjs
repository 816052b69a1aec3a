// One test per formatting rule of a channel's situation (docs/dashboard.md, "What it shows"): `node --test test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  channelFreshness, compliance, controlMode, dataAge, dateTime, elapsed, emptyState, freshness, links, MIN_SPAN, paddedRange, readingInterval, runLine,
  stepNumber, stepProgress, timeOfDay,
} from '../src/js/format.js';
import { Channel, Rig } from '../src/js/model.js';
import { situation } from '../src/js/overview.js';

const running = extra => ({ run_state: 'running', test_id: 't1', step: 1, cycle: 1, ...extra });

test('steps count from 1 (the service counts its step index from 0); cycles as the service numbers them (from 1)', () => {
  assert.equal(stepNumber({ step: 0 }), 1);
  assert.equal(stepNumber({}), null);
  assert.equal(runLine(running({ step: 0, cycle: 1, cycles_planned: 3 })), 'running · step 1 of cycle 1 / 3');
});

test('control mode from the step kind: constant current, constant voltage, open circuit, sweep', () => {
  assert.equal(controlMode('Plate'), 'CC (constant current)');
  assert.equal(controlMode('Discharge'), 'CC (constant current)');
  assert.equal(controlMode('Hold'), 'CV (constant voltage)');
  assert.equal(controlMode('Rest'), 'rest (open circuit)');
  assert.equal(controlMode('Sweep'), 'sweep (linear voltage)');
  assert.equal(controlMode(undefined), null);
});

test('data turns stale three sample periods after the next reading was due, and says so in words', () => {
  assert.equal(dataAge(100, 104.5), 4.5);
  assert.equal(dataAge(110, 100), 0, 'a rig clock ahead of the browser gives age 0, not a negative age');
  assert.equal(dataAge(null, 100), null);
  // a reading due 5 s after the last, sampled every 1 s: stale after 5 + 3 x 1 s
  assert.deepEqual(freshness(7.9, { intervalSeconds: 5, samplePeriodSeconds: 1 }), { stale: false, text: 'updated 8 s ago' });
  assert.deepEqual(freshness(8.1, { intervalSeconds: 5, samplePeriodSeconds: 1 }), { stale: true, text: 'STALE: last data 8 s ago' });
  assert.deepEqual(freshness(0.2, { intervalSeconds: 1, samplePeriodSeconds: 0.25 }), { stale: false, text: 'updated just now' });
  assert.equal(freshness(1.8, { intervalSeconds: 1, samplePeriodSeconds: 0.25 }).stale, true, '1 s states, 0.25 s samples: stale after 1.75 s');
  assert.equal(freshness(7, {}).stale, false, 'without periods in the info, the service defaults (5 s state, 1 s sample)');
  assert.equal(freshness(null).stale, true);
});

test('the interval a reading is due in: the state period, or for a running test the record period when shorter', () => {
  const info = { sample_period_s: 1, state_period_s: 5, record_period_s: 2 };
  assert.equal(readingInterval(info, 'idle'), 5, 'an idle channel: its state message only');
  assert.equal(readingInterval(info, 'paused'), 5);
  assert.equal(readingInterval(info, 'running'), 2, 'a running test\'s telemetry is recorded at least every record period');
  assert.equal(readingInterval({ ...info, record_period_s: 10 }, 'running'), 5, 'the state comes sooner than a 10 s record period');
  assert.equal(readingInterval(null, 'running'), 5, 'service defaults: state 5 s, record 10 s');
  assert.equal(channelFreshness(4.6, { sample_period_s: 0.5, state_period_s: 5, record_period_s: 3 }, 'running').stale, true, '3 s + 3 x 0.5 s');
  assert.equal(channelFreshness(4.6, { sample_period_s: 0.5, state_period_s: 5, record_period_s: 3 }, 'idle').stale, false, '5 s + 3 x 0.5 s');
});

test('a channel card is stale when the rig stops: the age is counted from the newest reading', () => {
  const rig = new Rig('rig-01');
  rig.info = { state_period_s: 1, sample_period_s: 0.25 };
  const channel = new Channel('rig-01', 'ch1');
  channel.onState({ run_state: 'idle', sampled_at: new Date(100_000).toISOString(), voltage_V: 1 });
  assert.equal(situation(channel, rig, 101.5).fresh.stale, false);
  assert.equal(situation(channel, rig, 101.8).fresh.stale, true, 'the state due at 101 s plus three 0.25 s samples');
  channel.onTelemetry({ seq: 1, test_id: 't', unix_time_s: 101.5, voltage_V: 1, current_A: 0 });
  assert.equal(situation(channel, rig, 101.8).fresh.stale, false, 'a newer test sample counts');
});

test('compliance: clamped or within the limit, nothing when the rig does not say', () => {
  assert.equal(compliance({ in_compliance: true }), 'AT LIMIT (clamped)');
  assert.equal(compliance({ in_compliance: false }), 'within limit');
  assert.equal(compliance({}), null);
});

test('instrument and clamp links are lost while their interlock holds the channel, with its reason', () => {
  assert.deepEqual(links({ interlocks: [] }), { instrument: 'ok', clamp: 'ok', instrumentLost: false, clampLost: false });
  const held = links({ interlocks: [{ kind: 'ClampFault', reason: 'load cell not answering', source: 'ch1' }] });
  assert.equal(held.clamp, 'LOST: load cell not answering');
  assert.equal(held.instrument, 'ok');
});

test('step progress from the state\'s structured step ends: capacity per area, capacity, time, voltage and current ends', () => {
  const plate = stepProgress(running({ step_ends: [{ quantity: 'capacity', value: 0.005, unit: 'mAh/cm2', now: 0.0025 }] }), 0.8);
  assert.deepEqual(plate, [{ kind: 'capacity', fraction: 0.5, text: '0.0025 of 0.005 mAh/cm²' }]);
  const mah = stepProgress(running({ step_ends: [{ quantity: 'capacity', value: 2, unit: 'mAh', now: 3 }] }), 1);
  assert.equal(mah[0].text, '3 of 2 mAh', 'the capacity as measured');
  assert.equal(mah[0].fraction, 1, 'past the target the bar is full, not 150 %');
  const rest = stepProgress(running({ step_ends: [{ quantity: 'time', value: 600, unit: 's', now: 150 }] }), 1);
  assert.deepEqual(rest, [{ kind: 'time', fraction: 0.25, text: '2 min 30 s of 10 min' }]);
  const strip = stepProgress(running({ voltage_V: 0.1234, step_ends: [
    { quantity: 'capacity', value: 1, unit: 'mAh/cm2', now: 0 }, { quantity: 'voltage', value: 2, unit: 'V', direction: 'rising' }] }), 1);
  assert.deepEqual(strip.map(p => p.kind), ['capacity', 'voltage']);
  assert.equal(strip[1].text, 'until ≥ 2 V (now 0.1234 V)');
  const hold = stepProgress(running({ current_A: 0.000314, step_ends: [{ quantity: 'current', value: 0.2, unit: 'mA/cm2', direction: 'below' }] }), 0.785);
  assert.deepEqual(hold, [{ kind: 'current', fraction: null, text: 'until below 0.2 mA/cm² (now 0.400 mA/cm²)' }]);
  assert.equal(stepProgress(running({ step_text: 'Rest for 10 min', step_time_s: 150 }), 1), null, 'the step text is not parsed: no step_ends, no progress');
  assert.equal(stepProgress({ run_state: 'idle', step_ends: [{ quantity: 'time', value: 600, unit: 's', now: 1 }] }, 1), null, 'no progress outside a test');
  assert.equal(stepProgress(running({ step_ends: [] }), 1), null, 'an impedance step has no end to show');
});

test('elapsed test and step time during a test only', () => {
  assert.deepEqual(elapsed(running({ test_time_s: 7500, step_time_s: 40 })), { test: '2 h 5 min', step: '40 s' });
  assert.equal(elapsed({ run_state: 'finished', test_id: 't', test_time_s: 5 }), null);
  assert.equal(elapsed({ run_state: 'idle' }), null);
});

test('axes keep a minimum span per quantity: a rest\'s noise stays flat, 0 mA does not read 0-100 mA', () => {
  const [low, high] = paddedRange(1.19995, 1.20005, MIN_SPAN.V);
  assert.ok(high - low >= MIN_SPAN.V && high - low < MIN_SPAN.V * 1.2, `${low}..${high}`);
  assert.ok(Math.abs((low + high) / 2 - 1.2) < 1e-9, 'centred on the data');
  const [iLow, iHigh] = paddedRange(0, 0, MIN_SPAN.mA);
  assert.ok(iLow < 0 && iHigh > 0 && iHigh - iLow < 0.2, `${iLow}..${iHigh}`);
  const [wLow, wHigh] = paddedRange(0, 3, MIN_SPAN.V);
  assert.ok(wLow < 0 && wHigh > 3 && wHigh - wLow < 3.4, 'wide data keeps its own span (plus 5 % padding)');
  assert.deepEqual(paddedRange(null, null, 2), [0, 2]);
});

test('times and dates follow the locale: 24 h in de-DE and en-GB, 12 h in en-US', () => {
  const t = Date.UTC(2026, 11, 3, 17, 5, 9) / 1000;
  assert.equal(timeOfDay(t, 'de-DE', 'UTC'), '17:05:09');
  assert.equal(timeOfDay(t, 'en-GB', 'UTC'), '17:05:09');
  assert.match(timeOfDay(t, 'en-US', 'UTC'), /^05:05:09\s?PM$/);
  assert.equal(dateTime(t, 'de-DE', 'UTC'), '03.12.26, 17:05:09');
  assert.match(dateTime(t, 'en-GB', 'UTC'), /^03\/12\/2026,? 17:05:09$/);
});

test('empty plots say what they wait for', () => {
  assert.equal(emptyState('cycles', { cycles: 0, runState: 'running' }), 'Waiting for the first cycle to close: Capacity and CE appear as cycles end.');
  assert.equal(emptyState('curves', { cycles: 0, runState: 'idle' }), 'No cycles in this test yet: Voltage against capacity appear as cycles end.');
  assert.equal(emptyState('cycles', { cycles: 2 }), null);
  assert.equal(emptyState('vi', { points: 0 }), 'No readings yet from this channel.');
  assert.equal(emptyState('vi', { points: 3 }), null);
});

test('presets are offered for the cells they fit (the info\'s preset_cells); all of them when the rig does not say', async () => {
  const { presetsFor } = await import('../src/js/operator.js');
  const info = {
    presets: ['anode-free-full-cell', 'lsv', 'plating-stripping-1mAh', 'broken'],
    preset_cells: { 'anode-free-full-cell': ['AnodeFreeFullCell'], lsv: ['AnodeFreeHalfCell', 'AnodeFreeFullCell'], 'plating-stripping-1mAh': ['AnodeFreeHalfCell'] },
  };
  assert.deepEqual(presetsFor(info, 'AnodeFreeHalfCell'), ['lsv', 'plating-stripping-1mAh', 'broken']);
  assert.deepEqual(presetsFor(info, 'AnodeFreeFullCell'), ['anode-free-full-cell', 'lsv', 'broken']);
  assert.deepEqual(presetsFor({ presets: ['a', 'b'] }, 'AnodeFreeHalfCell'), ['a', 'b']);
  assert.deepEqual(presetsFor(null, 'AnodeFreeHalfCell'), []);
});

test('a lab row says the channel\'s state, what holds it and its data age, in words', async () => {
  const { labRow } = await import('../src/js/lab.js');
  const rig = new Rig('rig-02');
  rig.info = { state_period_s: 1, sample_period_s: 0.25 };
  const channel = new Channel('rig-02', 'ch1');
  channel.onState({ run_state: 'paused', test_id: 't', step: 0, cycle: 2, cycles_planned: 5, sampled_at: new Date(10_000).toISOString(),
    interlocks: [{ kind: 'AllOff', source: 'operator', reason: 'all-off', cleared_by: 'clear-fault' }], faults: [] });
  assert.deepEqual(labRow(channel, rig, 11), { text: 'paused · step 1 of cycle 2 / 5 · held: AllOff', age: 'updated 1 s ago', stale: false, trouble: true });
  assert.equal(labRow(channel, rig, 12).stale, true);
});
