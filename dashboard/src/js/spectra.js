// Impedance spectra (docs/impedance.md): the retained <channel>/spectrum document as the page model draws it. A Nyquist
// plot (-Z'' against Z' on equal axes, so an arc stays round), a Bode plot (|Z| and phase against log f) and the
// fitted circuit's parameters. Pure functions (test/spectra.test.mjs); the drawing is in spectrumView.js.

/** The measured points in sweep order: frequency, Z', Z'' and whether the analyser flagged it (overload). */
export function spectrumPoints(doc) {
  const p = doc?.points;
  if (!p?.f_Hz?.length) { return []; }
  return p.f_Hz.map((f, i) => ({ f, re: p.z_re_ohm[i], im: p.z_im_ohm[i], ok: (p.status?.[i] ?? 'ok') === 'ok' }))
    .filter(point => [point.f, point.re, point.im].every(v => typeof v === 'number' && Number.isFinite(v)));
}

// Complex arithmetic on {re, im}, just what the circuit needs.
const add = (a, b) => ({ re: a.re + b.re, im: a.im + b.im });
const mul = (a, b) => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const inv = a => { const d = a.re * a.re + a.im * a.im; return { re: a.re / d, im: -a.im / d }; };
/** (jω)^n = ω^n (cos nπ/2 + j sin nπ/2) */
const jwPow = (omega, n) => ({ re: omega ** n * Math.cos(n * Math.PI / 2), im: omega ** n * Math.sin(n * Math.PI / 2) });

/**
 * The service's equivalent circuit at frequency f (docs/impedance.md, "Fitting"):
 * Z = R_b + R_gb/(1 + R_gb·Q_gb·(jω)^n_gb) + R_int/(1 + R_int·Q_int·(jω)^n_int) + 1/(Q_t·(jω)^n_t).
 * `parameters` maps each name to a number or to {value}. Null when a parameter is missing.
 */
export function circuitImpedance(parameters, f) {
  const v = name => { const x = parameters?.[name]; return typeof x === 'number' ? x : x?.value; };
  const names = ['R_bulk', 'R_gb', 'Q_gb', 'n_gb', 'R_int', 'Q_int', 'n_int', 'Q_tail', 'n_tail'];
  if (!names.every(n => typeof v(n) === 'number' && Number.isFinite(v(n)))) { return null; }
  const omega = 2 * Math.PI * f;
  const arc = (r, q, n) => { const denominator = add({ re: 1, im: 0 }, mul({ re: r * q, im: 0 }, jwPow(omega, n))); return mul({ re: r, im: 0 }, inv(denominator)); };
  let z = { re: v('R_bulk'), im: 0 };
  z = add(z, arc(v('R_gb'), v('Q_gb'), v('n_gb')));
  z = add(z, arc(v('R_int'), v('Q_int'), v('n_int')));
  z = add(z, inv(mul({ re: v('Q_tail'), im: 0 }, jwPow(omega, v('n_tail')))));
  return z;
}

/** The fitted circuit at each of the given frequencies ([] without a fit). */
export function fitAt(doc, frequencies) {
  const parameters = doc?.fit?.parameters;
  if (!parameters) { return []; }
  return frequencies.map(f => ({ f, ...circuitImpedance(parameters, f) })).filter(z => Number.isFinite(z.re) && Number.isFinite(z.im));
}

/** Log-spaced frequencies over the measured range (for a smooth fitted curve on the Nyquist plot). */
export function logSpaced(minHz, maxHz, count = 120) {
  if (!(minHz > 0) || !(maxHz >= minHz)) { return []; }
  const a = Math.log10(minHz), b = Math.log10(maxHz);
  return Array.from({ length: count }, (_, i) => 10 ** (a + (b - a) * i / (count - 1)));
}

/**
 * Equal axes for a Nyquist plot in a width × height box with `pad` pixels for the axes: one pixel is the same number
 * of ohms across and up, the data centred; -Z'' from at least 0 (an arc sits on the real axis).
 */
export function nyquistFrame(points, width, height, pad = { left: 56, right: 12, top: 12, bottom: 40 }) {
  const xs = points.map(p => p.re), ys = points.map(p => -p.im);
  if (!xs.length) { return null; }
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  const ohmsPerPixel = Math.max((x1 - x0) / plotW, (y1 - y0) / plotH, 1e-9) * 1.05;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  x0 = cx - ohmsPerPixel * plotW / 2; x1 = cx + ohmsPerPixel * plotW / 2;
  y0 = cy - ohmsPerPixel * plotH / 2; y1 = cy + ohmsPerPixel * plotH / 2;
  return {
    ohmsPerPixel, x: [x0, x1], y: [y0, y1], pad, width, height,
    px: re => pad.left + (re - x0) / ohmsPerPixel,
    py: minusIm => pad.top + (y1 - minusIm) / ohmsPerPixel,
  };
}

/** About `count` round tick values across [low, high] (1, 2, 5 × 10^k apart). */
export function ticks(low, high, count = 5) {
  if (!(high > low)) { return []; }
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * magnitude).find(s => s >= raw);
  const out = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) { out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12))); }
  return out;
}

/** A log frequency axis labels its decades only (1, 10, 100, 1k, …, 1M): uPlot ticks every 1-9 multiple between them. */
export function decade(value) {
  if (typeof value !== 'number' || !(value > 0) || Math.abs(Math.log10(value) - Math.round(Math.log10(value))) > 1e-9) { return ''; }
  return value >= 1e6 ? `${value / 1e6}M` : value >= 1e3 ? `${value / 1e3}k` : String(Number(value.toPrecision(6)));
}

/** Bode columns in ascending frequency: |Z| in Ω, phase in degrees (negative: capacitive), the fit's beside them. */
export function bodeColumns(doc) {
  const points = spectrumPoints(doc).filter(p => p.ok).sort((a, b) => a.f - b.f);
  const f = points.map(p => p.f);
  const fit = fitAt(doc, f);
  const fitted = fit.length === f.length;
  const modulus = z => Math.hypot(z.re, z.im);
  const phase = z => Math.atan2(z.im, z.re) * 180 / Math.PI;
  return {
    f,
    modulus: points.map(modulus),
    phase: points.map(phase),
    fitModulus: fitted ? fit.map(modulus) : f.map(() => null),
    fitPhase: fitted ? fit.map(phase) : f.map(() => null),
  };
}

const UNITS = { R: 'Ω', Q: 'S·sⁿ', n: '' };
const NAMES = {
  R_bulk: 'R bulk', R_gb: 'R grain boundary', Q_gb: 'Q grain boundary', n_gb: 'n grain boundary',
  R_int: 'R interface', Q_int: 'Q interface', n_int: 'n interface', Q_tail: 'Q tail', n_tail: 'n tail',
};
const number = x => (typeof x !== 'number' || !Number.isFinite(x) ? '–'
  : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(2));

/** The fitted parameters as rows of words: "R bulk", "95.4 ± 0.3 Ω". Empty without a fit. */
export function parameterRows(doc) {
  const parameters = doc?.fit?.parameters;
  if (!parameters) { return []; }
  return Object.entries(parameters).map(([key, p]) => {
    const unit = UNITS[key[0]] ?? '';
    return { key, name: NAMES[key] ?? key, text: `${number(p.value)} ± ${number(p.error)}${unit ? ` ${unit}` : ''}` };
  });
}

/** One line on the spectrum: where it was measured, its sweep, the fit's quality or why there is none, σ_ion. */
export function spectrumSummary(doc) {
  if (!doc) { return null; }
  const points = spectrumPoints(doc);
  const flagged = points.filter(p => !p.ok).length;
  const parts = [
    `cycle ${doc.cycle}, step ${typeof doc.step === 'number' ? doc.step + 1 : '?'}`,
    `${points.length} points${flagged ? ` (${flagged} overloaded, left out of the fit)` : ''}`,
    `${number((doc.amplitude_V ?? NaN) * 1000)} mV a.c. at ${number(doc.bias_V)} V`,
  ];
  if (doc.fit) { parts.push(`fit: misfit ${(doc.fit.relative_misfit * 100).toFixed(2)} % over ${doc.fit.points_used} points`); }
  else { parts.push(`no fit: ${doc.fit_problem ?? 'the spectrum could not be fitted'}`); }
  const sigma = doc.ionic_conductivity_S_per_cm;
  if (sigma) { parts.push(`σ ion ${number(sigma.value * 1000)} ± ${number(sigma.error * 1000)} mS/cm`); }
  return parts.join(' · ');
}

/** What the spectrum panel says when the channel has none (readable, not a blank frame). */
export function spectrumEmptyState(doc) {
  return spectrumPoints(doc).length ? null
    : 'No impedance spectrum from this channel yet: one appears when a protocol\'s Impedance step runs on an analyser wired to it.';
}
