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

/** Data older than this many state periods is stale: the rig publishes every channel's state once a period. */
export const STALE_PERIODS = 3;
/** Mqtt:StatePeriod's default, for a rig whose info does not say its period. */
export const DEFAULT_STATE_PERIOD_S = 5;

/** Step and cycle numbers as an operator counts them: the service's step index counts from 0, its cycles from 1. */
export const stepNumber = state => (typeof state?.step === 'number' ? state.step + 1 : null);

/** The instrument's control mode during a step of this kind (the state's step_type). */
export function controlMode(stepType) {
  switch (stepType) {
    case 'Plate': case 'Strip': case 'Charge': case 'Discharge': return 'CC (constant current)';
    case 'Hold': return 'CV (constant voltage)';
    case 'Rest': return 'rest (open circuit)';
    case 'Sweep': return 'sweep (linear voltage)';
    default: return null;
  }
}

/** Seconds since the newest reading of the channel (rig clock), or null when it has sent none. */
export function dataAge(newestUnixSeconds, nowUnixSeconds) {
  if (typeof newestUnixSeconds !== 'number' || !Number.isFinite(newestUnixSeconds)) { return null; }
  return Math.max(0, nowUnixSeconds - newestUnixSeconds);
}

/** Fresh, stale (no data for STALE_PERIODS state periods) or none, with the words the card shows. */
export function freshness(ageSeconds, statePeriodSeconds = DEFAULT_STATE_PERIOD_S) {
  if (ageSeconds === null || ageSeconds === undefined) { return { stale: true, text: 'no data yet' }; }
  const period = statePeriodSeconds > 0 ? statePeriodSeconds : DEFAULT_STATE_PERIOD_S;
  const stale = ageSeconds > STALE_PERIODS * period;
  const age = ageSeconds < 1 ? 'just now' : `${duration(ageSeconds)} ago`;
  return { stale, text: stale ? `STALE: last data ${age}` : `updated ${age}` };
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

const TIME_UNITS = { ms: 0.001, s: 1, sec: 1, min: 60, h: 3600, hr: 3600, d: 86400 };

/**
 * The current step's progress against its end condition, read from the step as written ("Plate at 2 mA/cm2 for
 * 1 mAh/cm2", "Rest for 10 min", "Strip … or until 2 V"): a capacity or a time as a fraction, a voltage or current
 * limit as the reading against it. Null when the step has none the page can read.
 */
export function stepProgress(state, areaCm2) {
  const text = state?.step_text;
  if (!text || !['running', 'paused', 'interrupted'].includes(state.run_state)) { return null; }
  const parts = [];
  const capacity = /\bfor\s+(-?[\d.]+)\s*(mAh|µAh|uAh|Ah)(\s*\/\s*cm(?:2|²))?/i.exec(text);
  if (capacity && typeof state.step_capacity_Ah === 'number') {
    const scale = { mah: 1, µah: 0.001, uah: 0.001, ah: 1000 }[capacity[2].toLowerCase()];
    const perArea = !!capacity[3];
    const target = Number(capacity[1]) * scale;
    const doneMilliampHours = Math.abs(state.step_capacity_Ah) * 1000;
    const done = perArea ? doneMilliampHours / (areaCm2 || 1) : doneMilliampHours;
    const unit = perArea ? 'mAh/cm²' : 'mAh';
    parts.push({ kind: 'capacity', fraction: target > 0 ? Math.min(1, done / target) : null, text: `${significant(done)} of ${significant(target)} ${unit}` });
  }
  const time = /\bfor\s+([\d.]+)\s*(ms|s|sec|min|h|hr|d)\b/i.exec(text);
  if (time && typeof state.step_time_s === 'number') {
    const target = Number(time[1]) * TIME_UNITS[time[2].toLowerCase()];
    parts.push({ kind: 'time', fraction: target > 0 ? Math.min(1, state.step_time_s / target) : null, text: `${duration(state.step_time_s)} of ${duration(target)}` });
  }
  const voltage = /\buntil\s+(-?[\d.]+)\s*(mV|V)\b/.exec(text);
  if (voltage) {
    const target = Number(voltage[1]) * (voltage[2] === 'mV' ? 0.001 : 1);
    parts.push({ kind: 'voltage', fraction: null, text: `until ${target} V (now ${fixed(state.voltage_V, 4, 'V')})` });
  }
  const current = /\buntil\s+([\d.]+)\s*(mA|µA|uA)(\s*\/\s*cm(?:2|²))?/.exec(text);
  if (current) {
    parts.push({ kind: 'current', fraction: null, text: `until ${current[1]} ${current[2]}${current[3] ? '/cm²' : ''} (now ${fixed(Math.abs(state.current_A ?? NaN) * 1000, 3, 'mA')})` });
  }
  return parts.length ? parts : null;
}

/** Four significant digits, without exponent noise for the small capacities of a fast test. */
export const significant = value => (value === 0 ? '0' : Number(value.toPrecision(4)).toString());

/** Elapsed test and step time ("2 h 5 min", "40 s"), null outside a test. */
export function elapsed(state) {
  if (!state?.test_id || typeof state.test_time_s !== 'number' || !['running', 'paused', 'interrupted'].includes(state.run_state)) { return null; }
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
