// Numbers as a lab reads them: fixed decimals per quantity, units always shown, "–" when the sensor is missing.

export const fixed = (value, digits, unit) =>
  typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}` : '–';

export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) { return null; }
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) { return `${d} d ${h} h`; }
  if (h > 0) { return `${h} h ${m} min`; }
  if (m > 0) { return s % 60 ? `${m} min ${s % 60} s` : `${m} min`; }
  return `${s} s`;
}

/** "running · step 3 of cycle 12 / 403" and friends, from the retained state message (steps counted from 1). */
export function runLine(state) {
  if (!state) { return 'no state yet'; }
  const run = state.run_state;
  if (run === 'idle') { return 'idle'; }
  const cycles = state.cycles_planned ? ` / ${state.cycles_planned}` : '';
  const where = state.test_id && run !== 'finished' && run !== 'aborted' ? ` · step ${stepNumber(state)} of cycle ${state.cycle}${cycles}` : '';
  return `${run}${where}`;
}

export function timeLeft(state) {
  if (!state || !['running', 'paused', 'interrupted'].includes(state.run_state)) { return null; }
  const left = duration(state.time_left_s);
  if (left === null) { return 'time left not knowable yet'; }
  return state.time_left_estimated ? `≈ ${left} left` : `${left} left`;
}

export const clock = unixSeconds => timeOfDay(unixSeconds);

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) { continue; }
    if (name === 'class') { node.className = value; } else if (name.startsWith('on')) { node.addEventListener(name.slice(2), value); } else { node.setAttribute(name, value === true ? '' : value); }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) { node.append(child instanceof Node ? child : String(child)); }
  }
  return node;
}

// --- A channel's situation, as the card and the lab view say it (pure functions: test/format.test.mjs) -----------------

/** Step and cycle numbers as an operator counts them: the service's step index counts from 0, its cycles from 1. */
export const stepNumber = state => (typeof state?.step === 'number' ? state.step + 1 : null);

/** The instrument's control mode during a step of this kind (the state's step_type). */
export function controlMode(stepType) {
  switch (stepType) {
    case 'Plate': case 'Strip': case 'Charge': case 'Discharge': return 'CC (constant current)';
    case 'Hold': return 'CV (constant voltage)';
    case 'Rest': return 'rest (open circuit)';
    case 'Sweep': return 'sweep (linear voltage)';
    case 'Impedance': return 'impedance (output off, analyser measuring)';
    default: return null;
  }
}

/** A channel is stale this many sample periods after its next reading was due. */
export const STALE_SAMPLES = 3;
/** Defaults of Rig:SamplePeriod, Mqtt:StatePeriod and Store:RecordPeriod, for a rig whose info does not say them. */
export const DEFAULT_PERIODS = { sample_period_s: 1, state_period_s: 5, record_period_s: 10 };

/**
 * The longest the rig goes between two readings of a channel (docs/telemetry.md): every channel's state once a state
 * period; a running test's telemetry at least once a record period (more often when the readings move).
 */
export function readingInterval(info, runState) {
  const period = name => (info?.[name] > 0 ? info[name] : DEFAULT_PERIODS[name]);
  return runState === 'running' ? Math.min(period('state_period_s'), period('record_period_s')) : period('state_period_s');
}

/** Seconds since the newest reading of the channel (rig clock), or null when it has sent none. */
export function dataAge(newestUnixSeconds, nowUnixSeconds) {
  if (typeof newestUnixSeconds !== 'number' || !Number.isFinite(newestUnixSeconds)) { return null; }
  return Math.max(0, nowUnixSeconds - newestUnixSeconds);
}

/**
 * Fresh, stale or none, with the words the card shows. Stale once STALE_SAMPLES sample periods have passed since the
 * next reading was due (the newest one plus the interval the rig promises): with the defaults, 5 s + 3 × 1 s.
 */
export function freshness(ageSeconds, { intervalSeconds = DEFAULT_PERIODS.state_period_s, samplePeriodSeconds = DEFAULT_PERIODS.sample_period_s } = {}) {
  if (ageSeconds === null || ageSeconds === undefined) { return { stale: true, text: 'no data yet' }; }
  const sample = samplePeriodSeconds > 0 ? samplePeriodSeconds : DEFAULT_PERIODS.sample_period_s;
  const stale = ageSeconds > intervalSeconds + STALE_SAMPLES * sample;
  const age = ageSeconds < 1 ? 'just now' : `${duration(ageSeconds)} ago`;
  return { stale, text: stale ? `STALE: last data ${age}` : `updated ${age}` };
}

/** A channel's freshness by its rig's advertised periods (info) and whether its test streams telemetry. */
export function channelFreshness(ageSeconds, info, runState) {
  const samplePeriodSeconds = info?.sample_period_s > 0 ? info.sample_period_s : DEFAULT_PERIODS.sample_period_s;
  return freshness(ageSeconds, { intervalSeconds: readingInterval(info, runState), samplePeriodSeconds });
}

/** "at its compliance limit" when the instrument clamped; null when the rig does not say. */
export function compliance(state) {
  if (typeof state?.in_compliance !== 'boolean') { return null; }
  return state.in_compliance ? 'AT LIMIT (clamped)' : 'within limit';
}

/** Instrument and clamp links from the interlocks that hold the channel when either stops answering. */
export function links(state) {
  const held = state?.interlocks ?? [];
  const lost = kind => held.find(i => i.kind === kind);
  const say = (interlock, ok) => (interlock ? `LOST: ${interlock.reason}` : ok);
  return { instrument: say(lost('InstrumentFault'), 'ok'), clamp: say(lost('ClampFault'), 'ok'), instrumentLost: !!lost('InstrumentFault'), clampLost: !!lost('ClampFault') };
}

const TESTING = ['running', 'paused', 'interrupted'];
const UNIT_TEXT = { 'mAh/cm2': 'mAh/cm²', 'mA/cm2': 'mA/cm²' };

/**
 * The current step's progress against its end conditions, from the state's structured `step_ends` (the engine's own
 * targets: a capacity-retention plating shows what the last strip passed, not the written capacity): a capacity or a
 * time as a fraction with the engine's `now`, a voltage or current end as the reading beside it. Null when the rig
 * publishes none (idle, a sweep to its end point is shown as a voltage end, an impedance step has none).
 */
export function stepProgress(state, areaCm2) {
  const ends = state?.step_ends;
  if (!Array.isArray(ends) || !ends.length || !TESTING.includes(state.run_state)) { return null; }
  const parts = ends.map(end => {
    const unit = UNIT_TEXT[end.unit] ?? end.unit;
    const fraction = typeof end.now === 'number' && end.value > 0 ? Math.min(1, end.now / end.value) : null;
    switch (end.quantity) {
      case 'capacity': return { kind: 'capacity', fraction, text: `${significant(end.now ?? 0)} of ${significant(end.value)} ${unit}` };
      case 'time': return { kind: 'time', fraction, text: `${duration(end.now ?? 0)} of ${duration(end.value)}` };
      case 'voltage': {
        const bound = { rising: '≥ ', falling: '≤ ' }[end.direction] ?? '';
        return { kind: 'voltage', fraction: null, text: `until ${bound}${end.value} V (now ${fixed(state.voltage_V, 4, 'V')})` };
      }
      case 'current': {
        const milliamps = Math.abs(state.current_A ?? NaN) * 1000;
        const now = end.unit === 'mA/cm2' ? milliamps / (areaCm2 || 1) : milliamps;
        return { kind: 'current', fraction: null, text: `until below ${end.value} ${unit} (now ${fixed(now, 3, unit)})` };
      }
      default: return null;
    }
  }).filter(Boolean);
  return parts.length ? parts : null;
}

/** Four significant digits, without exponent noise for the small capacities of a fast test. */
export const significant = value => (value === 0 ? '0' : Number(value.toPrecision(4)).toString());

/** Elapsed test and step time ("2 h 5 min", "40 s"), null outside a test. */
export function elapsed(state) {
  if (!state?.test_id || typeof state.test_time_s !== 'number' || !TESTING.includes(state.run_state)) { return null; }
  return { test: duration(state.test_time_s), step: duration(state.step_time_s) };
}

// --- Axes and times ---------------------------------------------------------------------------------------------------

/** The smallest span an axis shows per quantity: about ten times what the instruments resolve, so noise stays flat. */
export const MIN_SPAN = { V: 0.01, mA: 0.1, MPa: 0.5, degC: 2, capacity: 0.01, CE: 2 };

/**
 * An axis range holding [min, max] with at least minSpan, centred on the data, padded 5 % each side: a rest's
 * ±0.1 mV of noise no longer fills the plot, a 0 mA current no longer reads 0-100 mA.
 */
export function paddedRange(min, max, minSpan) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) { return [0, minSpan]; }
  const span = Math.max(max - min, minSpan);
  const middle = (min + max) / 2;
  const pad = span * 0.05;
  return [middle - span / 2 - pad, middle + span / 2 + pad];
}

/** The page's locale (the browser's languages), the one every time and date on it is written in. */
export const pageLocale = () => (typeof navigator !== 'undefined' && navigator.languages?.length ? [...navigator.languages] : undefined);

/** Time of day in the locale's own convention (24 h in de-DE and en-GB, 12 h in en-US). */
export function timeOfDay(unixSeconds, locale = pageLocale(), timeZone = undefined) {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone }).format(new Date(unixSeconds * 1000));
}

/** Date and time in the locale's convention (a plot's cursor, an event older than today). */
export function dateTime(unixSeconds, locale = pageLocale(), timeZone = undefined) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', timeZone }).format(new Date(unixSeconds * 1000));
}

/** What an empty plot says instead of a blank frame; null when it has something to draw. */
export function emptyState(kind, { points = 0, cycles = 0, runState = 'idle' } = {}) {
  const testing = ['running', 'paused', 'interrupted'].includes(runState);
  if (kind === 'cycles' || kind === 'curves') {
    if (cycles > 0) { return null; }
    const what = kind === 'cycles' ? 'Capacity and CE' : 'Voltage against capacity';
    return testing ? `Waiting for the first cycle to close: ${what} appear as cycles end.` : `No cycles in this test yet: ${what} appear as cycles end.`;
  }
  if (points > 0) { return null; }
  return { vi: 'No readings yet from this channel.', pressure: 'No stack pressure readings yet.', temperature: 'No temperature readings yet.' }[kind] ?? 'Nothing to draw yet.';
}
