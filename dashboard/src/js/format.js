// Numbers as a lab reads them: fixed decimals per quantity, units always shown, "–" when the sensor is missing.

export const fixed = (value, digits, unit) =>
  typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}` : '–';

export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) { return null; }
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) { return `${d} d ${h} h`; }
  if (h > 0) { return `${h} h ${m} min`; }
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** "running · step 3 of cycle 12 / 403" and friends, from the retained state message. */
export function runLine(state) {
  if (!state) { return 'no state yet'; }
  const run = state.run_state;
  if (run === 'idle') { return 'idle'; }
  const cycles = state.cycles_planned ? ` / ${state.cycles_planned}` : '';
  const where = state.test_id && run !== 'finished' && run !== 'aborted' ? ` · step ${state.step} of cycle ${state.cycle}${cycles}` : '';
  return `${run}${where}`;
}

export function timeLeft(state) {
  if (!state || !['running', 'paused', 'interrupted'].includes(state.run_state)) { return null; }
  const left = duration(state.time_left_s);
  if (left === null) { return 'time left not knowable yet'; }
  return state.time_left_estimated ? `≈ ${left} left` : `${left} left`;
}

export const clock = unixSeconds => new Date(unixSeconds * 1000).toLocaleTimeString();

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
