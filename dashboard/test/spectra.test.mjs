// The impedance spectrum's page model (docs/dashboard.md, "Spectra"): `node --test test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bodeColumns, circuitImpedance, decade, fitAt, logSpaced, nyquistFrame, parameterRows, spectrumEmptyState, spectrumPoints, spectrumSummary, ticks,
} from '../src/js/spectra.js';
import { Channel } from '../src/js/model.js';

// The simulated NBH pellet's circuit, roughly (docs/impedance.md, "The simulator").
const circuit = { R_bulk: 96, R_gb: 32, Q_gb: 1e-9, n_gb: 0.9, R_int: 16, Q_int: 1e-4, n_int: 0.85, Q_tail: 5e-3, n_tail: 0.5 };
const asParameters = c => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, { value: v, error: v / 100 }]));
const frequencies = logSpaced(1, 1e6, 61).reverse(); // a sweep runs from 1 MHz down
const doc = (extra = {}) => {
  const z = frequencies.map(f => circuitImpedance(circuit, f));
  return {
    seq: 3, test_id: 't1', channel: 'ch1', cycle: 4, step: 6, amplitude_V: 0.03, bias_V: 0.21, ended: '2026-12-03T08:00:00Z',
    points: { f_Hz: frequencies, z_re_ohm: z.map(p => p.re), z_im_ohm: z.map(p => p.im), status: frequencies.map((_, i) => (i === 0 ? 'overload' : 'ok')) },
    fit: { model: 'R_bulk + R_gb||CPE_gb + R_int||CPE_int + CPE_tail', weights: 'modulus', relative_misfit: 0.002, points_used: 60, parameters: asParameters(circuit) },
    ionic_conductivity_S_per_cm: { value: 1.0e-3, error: 3e-6 },
    ...extra,
  };
};

test('the circuit is the service\'s: R_bulk at high frequency, R_b + R_gb + R_int plus the tail at low frequency, capacitive below the axis', () => {
  const high = circuitImpedance(circuit, 1e13);
  assert.ok(Math.abs(high.re - 96) < 0.5 && high.im < 0 && high.im > -0.5, JSON.stringify(high));
  const noTail = { ...circuit, Q_tail: 1e12 };
  const low = circuitImpedance(noTail, 1e-4);
  assert.ok(Math.abs(low.re - (96 + 32 + 16)) < 0.1, JSON.stringify(low));
  for (const f of frequencies) { assert.ok(circuitImpedance(circuit, f).im < 0, `capacitive at ${f} Hz`); }
  assert.equal(circuitImpedance({ ...circuit, n_tail: undefined }, 1), null, 'a missing parameter draws no curve');
  // parameters as the document carries them ({value, error}) give the same impedance
  assert.deepEqual(circuitImpedance(asParameters(circuit), 100), circuitImpedance(circuit, 100));
});

test('points come in sweep order with the analyser\'s flag; the fit is evaluated at any frequency', () => {
  const points = spectrumPoints(doc());
  assert.equal(points.length, 61);
  assert.equal(points[0].f, 1e6);
  assert.equal(points[0].ok, false, 'an overloaded point is kept, flagged');
  assert.equal(points.filter(p => p.ok).length, 60);
  assert.deepEqual(spectrumPoints({ points: { f_Hz: [1, 2], z_re_ohm: [1, null], z_im_ohm: [-1, -1] } }).map(p => p.f), [1], 'a point without a number is skipped');
  assert.equal(fitAt(doc(), [10, 100]).length, 2);
  assert.deepEqual(fitAt(doc({ fit: null, fit_problem: 'too few points' }), [10]), []);
});

test('the Nyquist frame has equal axes: one pixel is as many ohms across as up, whatever the box', () => {
  const points = spectrumPoints(doc());
  for (const [w, h] of [[400, 300], [300, 400], [800, 200]]) {
    const frame = nyquistFrame(points, w, h);
    const across = (frame.px(100) - frame.px(0)) / 100;
    const up = (frame.py(0) - frame.py(100)) / 100;
    assert.ok(Math.abs(across - up) < 1e-9, `${w}x${h}: ${across} px/Ω across, ${up} up`);
    for (const p of points) {
      const [x, y] = [frame.px(p.re), frame.py(-p.im)];
      assert.ok(x >= frame.pad.left - 1e-6 && x <= w - frame.pad.right + 1e-6 && y >= frame.pad.top - 1e-6 && y <= h - frame.pad.bottom + 1e-6, `${p.f} Hz inside ${w}x${h}`);
    }
    assert.ok(frame.y[0] <= 0, '-Z\'\' axis starts at or below 0: the arc sits on the real axis');
  }
  assert.equal(nyquistFrame([], 400, 300), null);
});

test('ticks are round numbers across the range', () => {
  assert.deepEqual(ticks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(95, 148, 5), [100, 120, 140]);
  assert.deepEqual(ticks(-0.3, 0.25, 5), [-0.2, 0, 0.2]);
  assert.deepEqual(ticks(5, 5), []);
});

test('the Bode frequency axis labels decades only', () => {
  assert.deepEqual([1, 2, 10, 50, 100, 1000, 3000, 1e5, 1e6, 0.1, null].map(decade), ['1', '', '10', '', '100', '1k', '', '100k', '1M', '0.1', '']);
});

test('Bode columns: ascending frequency, |Z| and phase of the usable points, the fit beside them', () => {
  const c = bodeColumns(doc());
  assert.equal(c.f.length, 60, 'the overloaded point is not drawn on the Bode plot');
  assert.ok(c.f.every((f, i) => i === 0 || f > c.f[i - 1]));
  assert.ok(c.phase.every(p => p < 0 && p > -90), 'capacitive: phase between 0 and -90 degrees');
  assert.ok(c.modulus.every((m, i) => Math.abs(m - c.fitModulus[i]) < 1e-9), 'noiseless points lie on their own fit');
  const noFit = bodeColumns(doc({ fit: null }));
  assert.ok(noFit.fitModulus.every(v => v === null));
});

test('fit parameters in words with their errors and units; a summary line; a readable empty state', () => {
  const rows = parameterRows(doc());
  assert.equal(rows.length, 9);
  assert.deepEqual(rows[0], { key: 'R_bulk', name: 'R bulk', text: '96 ± 0.96 Ω' });
  assert.equal(rows.find(r => r.key === 'Q_gb').text, '1.00e-9 ± 1.00e-11 S·sⁿ');
  assert.equal(rows.find(r => r.key === 'n_tail').text, '0.5 ± 0.005');
  assert.deepEqual(parameterRows(doc({ fit: null })), []);
  assert.equal(spectrumSummary(doc()), 'cycle 4, step 7 · 61 points (1 overloaded, left out of the fit) · 30 mV a.c. at 0.21 V · fit: misfit 0.20 % over 60 points · σ ion 1 ± 0.003 mS/cm');
  assert.match(spectrumSummary(doc({ fit: null, fit_problem: 'fewer than 12 usable points' })), /no fit: fewer than 12 usable points/);
  assert.match(spectrumEmptyState(null), /No impedance spectrum from this channel yet/);
  assert.equal(spectrumEmptyState(doc()), null);
});

test('a channel keeps its latest spectrum from the retained topic', () => {
  const channel = new Channel('rig-01', 'ch1');
  const before = channel.version;
  channel.onSpectrum(doc());
  assert.equal(channel.spectrum.seq, 3);
  assert.ok(channel.version > before, 'the detail view redraws');
});
