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

export function renderOperator(root, { channel, rig, role, refusal, username, send }) {
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
    heater);
}
