// The lab view: every rig on the broker (found from the retained status and info), each channel as one compact row
// with its state, what holds it, its open alarms and its data age. A rig's or a channel's row leads to its cards.
import { element } from './format.js';
import { situation } from './overview.js';

/** One line per channel, in words (the row's text; colour only repeats it). */
export function labRow(channel, rig, now) {
  const is = situation(channel, rig, now);
  const held = is.interlocks.length ? `held: ${[...new Set(is.interlocks.map(i => i.kind))].join(', ')}` : null;
  const faults = is.faults.length ? `${is.faults.length} fault${is.faults.length > 1 ? 's' : ''}` : null;
  return { text: [is.run, held, faults].filter(Boolean).join(' · '), age: is.fresh.text, stale: is.fresh.stale, trouble: !!(held || faults) };
}

export function renderLab(container, model, { focusedRig, openAlarms, onRig, onChannel, now = Date.now() / 1000 }) {
  const rigs = [...model.rigs.values()].sort((a, b) => a.id.localeCompare(b.id));
  // One rig needs no lab view: its cards say everything.
  container.hidden = rigs.length < 2;
  if (container.hidden) { container.replaceChildren(); return; }
  container.replaceChildren(
    element('h2', {}, `Lab: ${rigs.length} rigs `, focusedRig
      ? element('button', { type: 'button', 'data-testid': 'lab-all', onclick: () => onRig(null) }, 'Show every rig')
      : null),
    ...rigs.map(rig => {
      const alarms = openAlarms(rig.id);
      const channels = [...rig.channels.values()].sort((a, b) => a.id.localeCompare(b.id));
      return element('div', { class: `lab-rig${rig.id === focusedRig ? ' focused' : ''}`, 'data-testid': `lab-${rig.id}` },
        element('button', { type: 'button', class: 'lab-head', 'data-testid': `lab-rig-${rig.id}`, 'aria-pressed': rig.id === focusedRig ? 'true' : 'false', onclick: () => onRig(rig.id) },
          element('strong', {}, rig.id), ' ',
          element('span', { class: `badge ${rig.online ? 'ok' : 'alarm'}` }, rig.online ? 'online' : 'offline'), ' ',
          element('span', { class: `badge ${alarms ? 'warn' : 'quiet'}`, 'data-testid': `lab-alarms-${rig.id}` }, alarms ? `${alarms} open alarm${alarms > 1 ? 's' : ''}` : 'no open alarms')),
        element('ul', { class: 'lab-rows' }, channels.map(channel => {
          const row = labRow(channel, rig, now);
          return element('li', {}, element('button', {
            type: 'button', class: `lab-row${row.stale ? ' stale' : ''}${row.trouble ? ' trouble' : ''}`,
            'data-testid': `lab-row-${rig.id}-${channel.id}`, 'data-stale': row.stale ? 'true' : 'false', onclick: () => onChannel(channel.key, rig.id),
          }, element('span', { class: 'lab-channel' }, channel.id), element('span', {}, row.text), element('span', { class: `age${row.stale ? ' stale' : ''}` }, row.stale ? `⚠ ${row.age}` : row.age)));
        })));
    }));
}
