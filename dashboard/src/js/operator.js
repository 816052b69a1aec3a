// Operator actions for the selected channel. They send the service's MQTT commands (docs/telemetry.md, Commands) and
// show the reply. Offered only once the broker has accepted a command from this login: the broker's ACL decides who
// is an operator, not the page (deploy/README.md, accounts).
import { element } from './format.js';

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

export function renderOperator(root, { channel, rig, role, refusal, username, send, zoneState }) {
  if (!channel) { root.replaceChildren(); return; }
  if (role !== 'operator') {
    root.replaceChildren(element('h3', {}, 'Operator actions'),
      element('p', { class: role === 'viewer' ? 'error' : 'note', 'data-testid': 'operator-unavailable' },
        role === 'viewer' ? `Read-only login: ${refusal}.` : 'Checking whether this login may send commands…'));
    return;
  }
  const s = channel.state ?? {};
  const presets = rig?.info?.presets ?? [];
  const zone = s.heater_zone || channel.state?.heater_zone;
  const target = { channel: channel.id };
  const button = (label, verb, body, testid) => element('button', { type: 'button', 'data-testid': testid, onclick: () => send(verb, body()) }, label);
  let abortArmed = false;
  const abort = element('button', { type: 'button', 'data-testid': 'abort', onclick: () => {
    if (!abortArmed) { abortArmed = true; abort.textContent = 'Confirm abort'; return; }
    send('abort', { ...target, reason: 'operator (dashboard)' });
  } }, 'Abort');

  const preset = element('select', { name: 'preset', 'data-testid': 'preset' }, presets.map(p => element('option', { value: p }, p)));
  const parameters = element('textarea', { name: 'parameters', 'data-testid': 'parameters', placeholder: 'capacity = 3 mAh/cm2' });
  const start = element('form', { 'data-testid': 'start-form', onsubmit: event => {
    event.preventDefault();
    let parsed;
    try { parsed = parseParameters(parameters.value); } catch (error) { send(null, null, error.message); return; }
    send('start', { ...target, preset: preset.value, parameters: parsed, operator: username });
  } }, element('label', {}, 'Preset ', preset), element('label', {}, 'Parameters ', parameters), element('button', { type: 'submit', 'data-testid': 'start' }, 'Start'));

  const setpoint = element('input', { type: 'number', step: '0.1', name: 'setpoint', 'data-testid': 'setpoint', value: s.temperature_setpoint_degC ?? 40 });
  const heater = element('form', { onsubmit: event => {
    event.preventDefault();
    send('set-heater', { zone, setpoint_degC: Number(setpoint.value), channel: channel.id });
  } }, element('label', {}, `Heater ${zone ?? ''} set-point °C `, setpoint), element('button', { type: 'submit', 'data-testid': 'set-heater', disabled: !zone }, 'Set'));

  root.replaceChildren(element('h3', {}, `Operator actions on ${channel.rig}/${channel.id}`), start,
    element('div', {},
      button('Pause', 'pause', () => ({ ...target, reason: 'operator (dashboard)' }), 'pause'),
      button('Resume', 'resume', () => target, 'resume'),
      abort),
    heater, tuningPanel(zone, zoneState, button));
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
