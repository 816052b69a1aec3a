// The rig overview: one card per channel of every rig on the broker, redrawn from the model on every change.
import { element, fixed, runLine, timeLeft } from './format.js';

export function renderOverview(container, model, selectedKey, onSelect) {
  const rigs = [...model.rigs.values()].sort((a, b) => a.id.localeCompare(b.id));
  container.replaceChildren(...rigs.map(rig => element('div', { class: `rig${rig.online ? '' : ' offline'}`, 'data-rig': rig.id },
    element('h2', {}, `${rig.id} `, element('span', { class: `badge ${rig.online ? 'ok' : 'alarm'}`, 'data-testid': `rig-status-${rig.id}` }, rig.online ? 'online' : 'offline')),
    [...rig.channels.values()].sort((a, b) => a.id.localeCompare(b.id)).map(channel => card(channel, channel.key === selectedKey, onSelect)))));
}

function card(channel, selected, onSelect) {
  const s = channel.state ?? {};
  const live = channel.live;
  const faults = s.faults ?? [];
  const interlocks = s.interlocks ?? [];
  const classes = ['card', s.run_state ?? 'idle', faults.length || interlocks.length ? 'has-fault' : '', selected ? 'selected' : ''].filter(Boolean).join(' ');
  const testid = `card-${channel.rig}-${channel.id}`;
  return element('button', { type: 'button', class: classes, 'data-testid': testid, onclick: () => onSelect(channel.key) },
    element('h3', {}, element('span', {}, channel.id), element('span', { class: 'cell' }, s.cell?.name ?? '')),
    element('div', { 'data-testid': `${testid}-run` }, runLine(channel.state)),
    s.step_text && !['idle', 'finished', 'aborted'].includes(s.run_state) ? element('div', { class: 'note step' }, s.step_text) : null,
    element('div', { class: 'note', 'data-testid': `${testid}-left` }, timeLeft(channel.state) ?? ''),
    element('dl', {},
      element('dt', {}, 'Voltage'), element('dd', { 'data-testid': `${testid}-voltage` }, fixed(live.voltage_V, 4, 'V')),
      element('dt', {}, 'Current'), element('dd', { 'data-testid': `${testid}-current` }, fixed(live.current_A * 1000, 3, 'mA')),
      element('dt', {}, 'Stack pressure'), element('dd', { 'data-testid': `${testid}-pressure` }, fixed(live.stack_pressure_MPa, 2, 'MPa')),
      element('dt', {}, 'Temperature'), element('dd', { 'data-testid': `${testid}-temperature` }, fixed(live.temperature_degC, 2, '°C')),
      element('dt', {}, 'Cycles closed'), element('dd', { 'data-testid': `${testid}-cycles` }, String(channel.cyclesClosed))),
    // Why the channel cannot run: one line per interlock, with what clears it.
    interlocks.length ? element('div', { class: 'faults held', 'data-testid': `${testid}-held` },
      `Held: ${interlocks.map(i => `${i.kind} (${i.source}): ${i.reason}; ${i.cleared_by}`).join(' | ')}`) : null,
    faults.length ? element('ul', { class: 'faults' }, faults.map(f => element('li', {}, `${f.kind}: ${f.message}`))) : null);
}
