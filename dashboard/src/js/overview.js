// The rig overview: one card per channel of every rig on the broker, redrawn from the model on every change and once a
// second (the data age must grow while nothing arrives). Every state is said in words; colour only repeats it.
import {
  channelFreshness, compliance, controlMode, dataAge, elapsed, element, fixed, links, runLine, stepProgress, timeLeft,
} from './format.js';

export function renderOverview(container, model, selectedKey, onSelect, now = Date.now() / 1000, onlyRig = null) {
  const rigs = [...model.rigs.values()].filter(r => !onlyRig || r.id === onlyRig).sort((a, b) => a.id.localeCompare(b.id));
  container.replaceChildren(...rigs.map(rig => element('section', { class: `rig${rig.online ? '' : ' offline'}`, 'data-rig': rig.id, 'aria-label': `rig ${rig.id}` },
    element('h2', {}, `${rig.id} `, element('span', { class: `badge ${rig.online ? 'ok' : 'alarm'}`, 'data-testid': `rig-status-${rig.id}` }, rig.online ? 'online' : 'offline')),
    [...rig.channels.values()].sort((a, b) => a.id.localeCompare(b.id)).map(channel => card(channel, rig, channel.key === selectedKey, onSelect, now)))));
}

/** Everything the card says about a channel, without the DOM (the lab view and the tests read it too). */
export function situation(channel, rig, now) {
  const s = channel.state ?? {};
  const fresh = channelFreshness(dataAge(channel.newestTime, now), rig?.info, s.run_state);
  const time = elapsed(s);
  const link = links(s);
  return {
    run: runLine(channel.state),
    fresh,
    mode: ['running', 'paused', 'interrupted'].includes(s.run_state) ? controlMode(s.step_type ?? channel.latestSample?.step_type) : null,
    progress: stepProgress(s, s.cell?.area_cm2),
    time,
    left: timeLeft(channel.state),
    compliance: compliance(s),
    link,
    interlocks: s.interlocks ?? [],
    faults: s.faults ?? [],
  };
}

function card(channel, rig, selected, onSelect, now) {
  const s = channel.state ?? {};
  const live = channel.live;
  const is = situation(channel, rig, now);
  const classes = ['card', s.run_state ?? 'idle', is.faults.length || is.interlocks.length ? 'has-fault' : '', is.fresh.stale ? 'stale' : '', selected ? 'selected' : '']
    .filter(Boolean).join(' ');
  const testid = `card-${channel.rig}-${channel.id}`;
  const row = (label, value, part, cls) => [element('dt', {}, label), element('dd', { 'data-testid': `${testid}-${part}`, class: cls }, value)];
  return element('button', { type: 'button', class: classes, 'data-testid': testid, 'aria-pressed': selected ? 'true' : 'false', onclick: () => onSelect(channel.key) },
    element('h3', {}, element('span', {}, channel.id), element('span', { class: 'cell' }, s.cell?.name ?? '')),
    element('div', { 'data-testid': `${testid}-run` }, is.run),
    element('div', { class: `age${is.fresh.stale ? ' stale' : ''}`, 'data-testid': `${testid}-age`, 'data-stale': is.fresh.stale ? 'true' : 'false' },
      is.fresh.stale ? '⚠ ' : '', is.fresh.text),
    s.step_text && !['idle', 'finished', 'aborted'].includes(s.run_state) ? element('div', { class: 'note step' }, s.step_text) : null,
    is.progress ? element('div', { class: 'progress', 'data-testid': `${testid}-progress` }, is.progress.flatMap(p => [
      element('span', {}, `${{ capacity: 'Step capacity', time: 'Step time', voltage: 'Ends', current: 'Ends' }[p.kind]}: ${p.text}`),
      p.fraction === null ? null : element('progress', { max: '1', value: String(p.fraction), 'aria-label': `step ${p.kind} progress` }),
    ])) : null,
    element('div', { class: 'note', 'data-testid': `${testid}-left` }, is.left ?? ''),
    element('dl', {},
      row('Voltage', fixed(live.voltage_V, 4, 'V'), 'voltage'),
      row('Current', fixed(live.current_A * 1000, 3, 'mA'), 'current'),
      is.mode ? row('Mode', is.mode, 'mode') : null,
      is.time ? row('Test time', is.time.test, 'test-time') : null,
      is.time ? row('Step time', is.time.step ?? '–', 'step-time') : null,
      row('Stack pressure', fixed(live.stack_pressure_MPa, 2, 'MPa'), 'pressure'),
      row('Temperature', fixed(live.temperature_degC, 2, '°C'), 'temperature'),
      row('Cycles closed', String(channel.cyclesClosed), 'cycles'),
      is.compliance ? row('Compliance', is.compliance, 'compliance', s.in_compliance ? 'link-lost' : '') : null,
      row('Instrument', is.link.instrument, 'instrument', is.link.instrumentLost ? 'link-lost' : ''),
      row('Clamp', is.link.clamp, 'clamp', is.link.clampLost ? 'link-lost' : '')),
    // Why the channel cannot run: one line per interlock, with what clears it.
    is.interlocks.length ? element('ul', { class: 'faults held', 'data-testid': `${testid}-held` },
      is.interlocks.map(i => element('li', {}, `Held: ${i.kind} (${i.source}): ${i.reason}; ${i.cleared_by}`))) : null,
    is.faults.length ? element('ul', { class: 'faults' }, is.faults.map(f => element('li', {}, `Fault ${f.kind}: ${f.message}`))) : null);
}
