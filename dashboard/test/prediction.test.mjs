// The dry-run prediction's page model (docs/dashboard.md, "Prediction before Start"): `node --test test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputsKey, predictionView, sparkline } from '../src/js/prediction.js';

// The shape of the dry-run reply's data (docs/engine.md#dry-run).
const reply = (extra = {}) => ({
  channel: 'ch2', protocol: 'Anode-free full cell', completed: true, final_state: 'Finished', end_reason: 'protocol complete',
  duration_s: 273600, duration_by_step_kind_s: { Charge: 120000, Hold: 30000, Discharge: 120000, Rest: 3600, Impedance: 0 },
  cycles: 403, discharge_capacity_mAh_cm2: [0.9, 0.85, 0.8, 0.7], ice: 0.9259, average_ce: 0.99956,
  cycles_to_80_percent: 263, temperature_degC: 40, stack_pressure_MPa: 10, wall_s: 0.512, samples: 274625, warnings: [],
  ...extra,
});

test('the duration shown is the reply\'s duration_s, with the share of each step kind', () => {
  const v = predictionView(reply());
  assert.equal(v.durationSeconds, 273600);
  assert.equal(v.duration, '3 d 4 h');
  assert.equal(v.byKind, 'Charge 1 d 9 h (44 %), Discharge 1 d 9 h (44 %), Hold 8 h 20 min (11 %), Rest 1 h 0 min (1 %)');
  assert.equal(v.ending, 'would end finished: protocol complete');
});

test('capacity per cycle, cycles to 80 and 70 %, efficiencies', () => {
  const v = predictionView(reply());
  assert.equal(v.capacity, 'discharge 0.9 mAh/cm² in the first cycle, 0.7 in the last (403 cycles)');
  assert.equal(v.retention, 'cycles to 80 %: 263; to 70 %: not reached');
  assert.equal(v.efficiency, 'ICE 92.6 %, average CE 99.956 %');
  assert.equal(predictionView(reply({ discharge_capacity_mAh_cm2: [], cycles: 0 })).capacity, 'no cycle closes');
});

test('the first safety limit and warnings are said in words; a dry run cut short says so', () => {
  const v = predictionView(reply({ first_limit: { what: 'voltage above the 4 V window', at_s: 7260, cycle: 3 }, warnings: ['"Charge at 1 mA/cm2 until 3.5 V" never reached its end condition'] }));
  assert.equal(v.firstLimit, 'voltage above the 4 V window after 2 h 1 min, in cycle 3');
  assert.ok(v.limitHit);
  assert.equal(v.warnings.length, 1);
  assert.equal(predictionView(reply()).firstLimit, 'none hit');
  assert.equal(predictionView(reply({ completed: false, stopped_because: 'wall time limit (30 s)' })).ending, 'dry run stopped early (wall time limit (30 s)): what it had');
  assert.equal(predictionView(null), null);
});

test('a prediction belongs to the inputs it was made for', () => {
  assert.equal(inputsKey('lsv', 'rate = 1 mV/s\n'), inputsKey('lsv', 'rate = 1 mV/s'));
  assert.notEqual(inputsKey('lsv', 'rate = 1 mV/s'), inputsKey('lsv', 'rate = 2 mV/s'));
  assert.notEqual(inputsKey('lsv', ''), inputsKey('dc-polarization', ''));
});

test('the capacity sparkline spans its box, highest capacity at the top', () => {
  assert.equal(sparkline([1, 0.5], 200, 40), '0.0,0.0 200.0,40.0');
  assert.equal(sparkline([1], 200, 40), null);
});
