// One test per formatting rule of a channel's situation (docs/dashboard.md, "What it shows"): `node --test test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compliance, controlMode, dataAge, dateTime, elapsed, emptyState, freshness, links, MIN_SPAN, paddedRange, runLine,
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

test('data turns stale after three state periods without a reading, and says so in words', () => {
  assert.equal(dataAge(100, 104.5), 4.5);
  assert.equal(dataAge(110, 100), 0, 'a rig clock ahead of the browser gives age 0, not a negative age');
  assert.equal(dataAge(null, 100), null);
  assert.deepEqual(freshness(14, 5), { stale: false, text: 'updated 14 s ago' });
  assert.deepEqual(freshness(16, 5), { stale: true, text: 'STALE: last data 16 s ago' });
  assert.deepEqual(freshness(0.2, 1), { stale: false, text: 'updated just now' });
  assert.equal(freshness(4, undefined).stale, false, 'without a period in the info, the default 5 s period');
  assert.equal(freshness(null).stale, true);
});

test('a channel card is stale when the rig stops: the age is counted from the newest reading', () => {
  const rig = new Rig('rig-01');
  rig.info = { state_period_s: 1 };
  const channel = new Channel('rig-01', 'ch1');
  channel.onState({ run_state: 'idle', sampled_at: new Date(100_000).toISOString(), voltage_V: 1 });
  assert.equal(situation(channel, rig, 102).fresh.stale, false);
  assert.equal(situation(channel, rig, 103.5).fresh.stale, true);
  channel.onTelemetry({ seq: 1, test_id: 't', unix_time_s: 103, voltage_V: 1, current_A: 0 });
  assert.equal(situation(channel, rig, 103.5).fresh.stale, false, 'a newer test sample counts');
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

test('step progress against a capacity per area, a capacity, a time and a voltage end', () => {
  const plate = stepProgress(running({ step_text: 'Plate at 2 mA/cm2 for 0.005 mAh/cm2', step_capacity_Ah: -0.002e-3, step_time_s: 3 }), 0.8);
  assert.equal(plate.length, 1);
  assert.equal(plate[0].kind, 'capacity');
  assert.equal(plate[0].text, '0.0025 of 0.005 mAh/cm²');
  assert.equal(plate[0].fraction, 0.5);
  const mah = stepProgress(running({ step_text: 'Charge at 0.1 mA for 2 mAh', step_capacity_Ah: 0.003 }), 1);
  assert.equal(mah[0].text, '3 of 2 mAh', 'the capacity as measured');
  assert.equal(mah[0].fraction, 1, 'past the target the bar is full, not 150 %');
  const rest = stepProgress(running({ step_text: 'Rest for 10 min', step_time_s: 150 }), 1);
  assert.deepEqual(rest, [{ kind: 'time', fraction: 0.25, text: '2 min 30 s of 10 min' }]);
  const strip = stepProgress(running({ step_text: 'Strip at 2 mA/cm2 for 1 mAh/cm2 or until 2 V', step_capacity_Ah: 0, voltage_V: 0.1234 }), 1);
  assert.deepEqual(strip.map(p => p.kind), ['capacity', 'voltage']);
  assert.equal(strip[1].text, 'until 2 V (now 0.1234 V)');
  assert.equal(stepProgress({ run_state: 'idle', step_text: 'Rest for 10 min' }, 1), null, 'no progress outside a test');
  assert.equal(stepProgress(running({ step_text: 'Sweep from OCV to -0.5 V at 0.1 mV/s' }), 1), null);
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
  rig.info = { state_period_s: 1 };
  const channel = new Channel('rig-02', 'ch1');
  channel.onState({ run_state: 'paused', test_id: 't', step: 0, cycle: 2, cycles_planned: 5, sampled_at: new Date(10_000).toISOString(),
    interlocks: [{ kind: 'AllOff', source: 'operator', reason: 'all-off', cleared_by: 'clear-fault' }], faults: [] });
  assert.deepEqual(labRow(channel, rig, 11), { text: 'paused · step 1 of cycle 2 / 5 · held: AllOff', age: 'updated 1 s ago', stale: false, trouble: true });
  assert.equal(labRow(channel, rig, 14).stale, true);
});
