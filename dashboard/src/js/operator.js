// Operator actions for the selected channel. They send the service's MQTT commands (docs/telemetry.md, Commands) and
// show the reply. Offered only once the broker has accepted a command from this login: the broker's ACL decides who
// is an operator, not the page (deploy/README.md, accounts).
import { element } from './format.js';
import { inputsKey, predictionView, sparkline } from './prediction.js';

/** Parses "capacity = 3 mAh/cm2" lines into the start command's parameters object. */
export function parseParameters(text) {
  const parameters = {};
  for (const line of text.split('\n').map(l => l.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(.+)$/.exec(line);
    if (!match) { throw new Error(`not "name = value": ${line}`); }
    parameters[match[1]] = match[2].trim();
  }
  return parameters;
}

/**
 * The presets a channel's cell can run (the rig's info says which cells each fits: `preset_cells`); every preset when
 * the rig does not say, and a preset it says nothing about (one that did not compile) is left in for the service to judge.
 */
export function presetsFor(info, chemistry) {
  const presets = info?.presets ?? [];
  const cells = info?.preset_cells;
  if (!cells || !chemistry) { return presets; }
  return presets.filter(p => !cells[p] || cells[p].includes(chemistry));
}

/** A button that asks for a second click before it sends (abort, all-off): one slip of a finger sends nothing. */
function confirming(label, confirmLabel, testid, onConfirm) {
  let armed = false;
  const button = element('button', { type: 'button', 'data-testid': testid, onclick: () => {
    if (!armed) { armed = true; button.textContent = confirmLabel; button.classList.add('armed'); return; }
    armed = false;
    button.textContent = label;
    button.classList.remove('armed');
    onConfirm();
  } }, label);
  return button;
}

export function renderOperator(root, { channel, rig, role, refusal, username, send, zoneState, prediction, predict }) {
  if (!channel) { root.replaceChildren(); return; }
  if (role !== 'operator') {
    root.replaceChildren(element('h3', {}, 'Operator actions'),
      element('p', { class: role === 'viewer' ? 'error' : 'note', 'data-testid': 'operator-unavailable' },
        role === 'viewer' ? `Read-only login: ${refusal}.` : 'Checking whether this login may send commands…'));
    return;
  }
  // The panel is rebuilt when the channel's state or zone changes: what the operator typed survives it (the start
  // form's parameters, the chosen preset, a set-point being edited) and so does the keyboard's place.
  const keep = root.dataset.channel === channel.key ? {
    parameters: root.querySelector('[data-testid=parameters]')?.value,
    preset: root.querySelector('[data-testid=preset]')?.value,
    setpoint: root.querySelector('[data-testid=setpoint][data-typed]')?.value,
    focus: root.contains(document.activeElement) ? document.activeElement.dataset.testid : null,
  } : null;
  const s = channel.state ?? {};
  const chemistry = s.cell?.chemistry ?? rig?.info?.channels?.find(c => c.id === channel.id)?.chemistry;
  const presets = presetsFor(rig?.info, chemistry);
  const zone = s.heater_zone || channel.state?.heater_zone;
  const target = { channel: channel.id };
  const button = (label, verb, body, testid) => element('button', { type: 'button', 'data-testid': testid, onclick: () => send(verb, body()) }, label);
  const abort = confirming('Abort', 'Confirm abort', 'abort', () => send('abort', { ...target, reason: 'operator (dashboard)' }));
  // Every output and heater of the rig off, latched until clear-fault (docs/architecture.md, interlocks).
  const allOff = confirming(`All off (${channel.rig})`, `Confirm: every output and heater of ${channel.rig} off`, 'all-off',
    () => send('all-off', { reason: 'operator (dashboard)' }));
  const exportable = s.test_id && ['finished', 'aborted', 'faulted', 'interrupted', 'paused'].includes(s.run_state);
  const download = element('button', { type: 'button', 'data-testid': 'export', disabled: !exportable, title: exportable ? `download ${s.test_id} as a BDF zip` : 'a finished (or paused) test can be exported',
    onclick: () => send('export-zip', { test_id: s.test_id }) }, 'Export test (BDF zip)');

  const preset = element('select', { name: 'preset', 'data-testid': 'preset' }, presets.map(p => element('option', { value: p }, p)));
  const parameters = element('textarea', { name: 'parameters', 'data-testid': 'parameters', placeholder: 'capacity = 3 mAh/cm2' });
  const start = element('form', { 'data-testid': 'start-form', onsubmit: event => {
    event.preventDefault();
    let parsed;
    try { parsed = parseParameters(parameters.value); } catch (error) { send(null, null, error.message); return; }
    send('start', { ...target, preset: preset.value, parameters: parsed, operator: username });
  } }, element('label', {}, 'Preset ', preset), element('label', {}, 'Parameters ', parameters),
  // A dry run of exactly what Start would send, on the channel's twin (docs/engine.md#dry-run): nothing touches the cell.
  element('button', { type: 'button', 'data-testid': 'predict', disabled: !predict || prediction?.pending, onclick: () => {
    let parsed;
    try { parsed = parseParameters(parameters.value); } catch (error) { send(null, null, error.message); return; }
    predict({ ...target, preset: preset.value, parameters: parsed }, inputsKey(preset.value, parameters.value));
  } }, prediction?.pending ? 'Predicting…' : 'Predict'),
  element('button', { type: 'submit', 'data-testid': 'start' }, 'Start'));

  const setpoint = element('input', { type: 'number', step: '0.1', name: 'setpoint', 'data-testid': 'setpoint', value: s.temperature_setpoint_degC ?? 40,
    oninput: event => { event.target.dataset.typed = 'true'; } });
  if (keep?.parameters) { parameters.value = keep.parameters; }
  if (keep?.preset && presets.includes(keep.preset)) { preset.value = keep.preset; }
  if (keep?.setpoint) { setpoint.value = keep.setpoint; setpoint.dataset.typed = 'true'; }
  const forecast = predictionPanel(prediction);
  // A prediction made for other inputs says so as soon as the operator changes the preset or a parameter.
  const outdated = () => forecast?.classList.toggle('outdated', !!prediction && prediction.inputs !== inputsKey(preset.value, parameters.value));
  preset.addEventListener('change', outdated);
  parameters.addEventListener('input', outdated);
  outdated();
  const heater = element('form', { onsubmit: event => {
    event.preventDefault();
    send('set-heater', { zone, setpoint_degC: Number(setpoint.value), channel: channel.id });
  } }, element('label', {}, `Heater ${zone ?? ''} set-point °C `, setpoint), element('button', { type: 'submit', 'data-testid': 'set-heater', disabled: !zone }, 'Set'));

  root.replaceChildren(element('h3', {}, `Operator actions on ${channel.rig}/${channel.id}`), start, forecast,
    element('div', { class: 'actions' },
      button('Pause', 'pause', () => ({ ...target, reason: 'operator (dashboard)' }), 'pause'),
      button('Resume', 'resume', () => target, 'resume'),
      abort, download, allOff),
    heater, tuningPanel(zone, zoneState, button));
  root.dataset.channel = channel.key;
  if (keep?.focus) { root.querySelector(`[data-testid="${keep.focus}"]`)?.focus(); }
}

/** One line on a zone's control: mode, gains, a running autotune's progress, a proposal waiting for a decision. */
export function zoneLine(zone) {
  if (!zone) { return 'no zone state yet'; }
  const g = zone.gains ?? {};
  let line = `${zone.mode} · Kp ${g.kp_per_K} Ki ${g.ki_per_K_s} Kd ${g.kd_s_per_K}`;
  if (zone.autotune) { line += ` · autotune around ${zone.autotune.target_degC} °C, peak ${zone.autotune.peaks} of ${zone.autotune.peaks_wanted}`; }
  if (zone.proposal) {
    const p = zone.proposal.gains;
    line += ` · proposed Kp ${p.kp_per_K.toFixed(4)} Ki ${p.ki_per_K_s.toFixed(6)} Kd ${p.kd_s_per_K.toFixed(3)}`;
  }
  if (zone.fault) { line += ` · FAULT ${zone.fault.kind}`; }
  // the block's thermal cut-out switch (docs/heater.md), shown only where one is fitted
  if (zone.cut_out) { line += zone.cut_out.open ? ' · CUT-OUT OPEN' : ' · cut-out closed'; }
  return line;
}

// Autotune and its proposal (docs/heater.md): the service refuses an autotune while a test runs in the zone.
function tuningPanel(zone, zoneState, button) {
  if (!zone) { return element('div'); }
  const body = () => ({ zone });
  const actions = zoneState?.mode === 'autotuning'
    ? [button('Cancel autotune', 'cancel-autotune', body, 'cancel-autotune')]
    : [button('Autotune', 'autotune-heater', body, 'autotune-heater')];
  if (zoneState?.proposal) {
    actions.push(button('Accept gains', 'accept-gains', body, 'accept-gains'), button('Reject gains', 'reject-gains', body, 'reject-gains'));
  }
  return element('div', { 'data-testid': 'heater-tuning' }, element('p', { 'data-testid': 'zone-line' }, `Heater ${zone}: ${zoneLine(zoneState)}`), ...actions);
}

/** The last prediction for this channel beside Start (or that one is being computed, or why there is none). */
export function predictionPanel(prediction) {
  if (!prediction) { return null; }
  if (prediction.pending) { return element('div', { class: 'prediction', 'data-testid': 'prediction', role: 'status' }, 'Dry run on the twin…'); }
  const reply = prediction.reply;
  if (!reply?.ok || !reply.data) {
    return element('div', { class: 'prediction error', 'data-testid': 'prediction', role: 'status' }, `No prediction: ${reply?.message ?? 'no reply'}`);
  }
  const v = predictionView(reply.data);
  const line = sparkline(v.capacities, 200, 36);
  const row = (label, value, part, cls) => (value ? [element('dt', {}, label), element('dd', { 'data-testid': `prediction-${part}`, class: cls }, value)] : []);
  return element('div', { class: 'prediction', 'data-testid': 'prediction', 'data-duration-s': v.durationSeconds, role: 'status' },
    element('h4', {}, `Predicted on the twin (${reply.data.protocol}) `, element('span', { class: 'outdated-note' }, '— for other inputs than the form now holds: predict again')),
    element('dl', {},
      row('Duration', v.duration, 'duration'),
      row('By step kind', v.byKind, 'by-kind'),
      row('Outcome', v.ending, 'ending'),
      row('Capacity per cycle', v.capacity, 'capacity'),
      row('Retention', v.retention, 'retention'),
      row('Efficiency', v.efficiency, 'efficiency'),
      row('First safety limit', v.firstLimit, 'limit', v.limitHit ? 'link-lost' : ''),
      row('Conditions', v.conditions, 'conditions')),
    line ? svgSparkline(line, v) : null,
    v.warnings.length ? element('ul', { class: 'faults', 'data-testid': 'prediction-warnings' }, v.warnings.map(w => element('li', {}, `Warning: ${w}`))) : null);
}

function svgSparkline(points, v) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 200 36');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `predicted discharge capacity per cycle: ${v.capacity}`);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points);
  svg.append(line);
  return svg;
}
