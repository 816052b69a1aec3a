// The selected channel: its plots, kept in step with the model at most twice a second.
import { cycleChart, cycleData, HEIGHT_PX, voltageCapacityChart, voltageCurrentChart, width, windowChart, windowData } from './charts.js';
import { element, emptyState, MIN_SPAN, runLine, timeLeft } from './format.js';
import { SpectrumView } from './spectrumView.js';

const MAX_DEFAULT_CURVES = 6;

export class ChannelDetail {
  constructor(root) {
    this.root = root;
    this.channel = null;
    this.drawnVersion = -1;
    this.chosenCurves = new Map(); // channel key -> Set of cycles the user ticked
    this.curveKey = '';
  }

  show(channel) {
    if (this.channel === channel) { return; }
    this.destroy();
    this.channel = channel;
    this.root.hidden = false;
    const el = id => this.root.querySelector(`#${id}`);
    this.elements = { vi: el('plot-vi'), cycles: el('plot-cycles'), vq: el('plot-vq'), pressure: el('plot-pressure'), temperature: el('plot-temperature'), picker: el('curve-picker') };
    this.charts = {
      vi: voltageCurrentChart(this.elements.vi),
      cycles: cycleChart(this.elements.cycles),
      pressure: windowChart(this.elements.pressure, 'stack pressure', 'MPa', '#2b8a3e', MIN_SPAN.MPa),
      temperature: windowChart(this.elements.temperature, 'temperature', '°C', '#d9480f', MIN_SPAN.degC),
    };
    this.spectrum = new SpectrumView(el('spectrum'));
    this.drawnVersion = -1;
    // Plots follow their column's width (a phone turned, a window resized): uPlot draws at a fixed pixel size.
    this.resizer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.resize()) : null;
    for (const name of ['vi', 'cycles', 'vq', 'pressure', 'temperature']) { this.resizer?.observe(this.elements[name]); }
    this.resizer?.observe(el('spectrum'));
    this.update();
  }

  resize() {
    const fit = (chart, element) => {
      if (chart && Math.abs(chart.width - width(element)) > 1) { chart.setSize({ width: width(element), height: HEIGHT_PX }); }
    };
    for (const [name, chart] of Object.entries(this.charts ?? {})) { fit(chart, this.elements[name]); }
    fit(this.vq, this.elements?.vq);
    this.spectrum?.resize();
  }

  destroy() {
    this.resizer?.disconnect();
    for (const chart of Object.values(this.charts ?? {})) { chart.destroy(); }
    this.vq?.destroy();
    this.vq = null;
    this.spectrum?.destroy();
    this.spectrum = null;
    this.curveKey = '';
    this.charts = null;
  }

  update() {
    const channel = this.channel;
    if (!channel || channel.version === this.drawnVersion) { return; }
    this.drawnVersion = channel.version;
    const s = channel.state ?? {};
    this.root.querySelector('#detail-title').textContent = `${channel.rig} / ${channel.id} ${s.cell?.name ? `· ${s.cell.name}` : ''}`;
    this.root.querySelector('#detail-summary').textContent = [runLine(s), timeLeft(s), s.protocol, s.test_id, s.reason]
      .filter(Boolean).join(' · ');
    const e = channel.electrical.columns;
    this.charts.vi.setData([e.t, e.voltage, e.currentMilliamps]);
    const env = channel.environment.columns;
    const target = s.pressure_target_MPa;
    this.charts.pressure.setData(windowData(env.t, env.pressure,
      target == null ? null : target - s.pressure_window_MPa, target == null ? null : target + s.pressure_window_MPa));
    const setpoint = s.temperature_setpoint_degC;
    this.charts.temperature.setData(windowData(env.t, env.temperature,
      setpoint == null ? null : setpoint - s.temperature_band_K, setpoint == null ? null : setpoint + s.temperature_band_K));
    this.charts.cycles.setData(cycleData(channel.history));
    // What each plot was handed, for people reading the page's source and for the end-to-end test.
    this.elements.cycles.dataset.cycles = String(channel.cyclesClosed);
    this.elements.vi.dataset.points = String(channel.electrical.length);
    // A blank frame looks like a broken page: empty plots say what they wait for.
    const counts = { points: channel.electrical.length, cycles: channel.cyclesClosed, runState: s.run_state };
    this.empty('vi', emptyState('vi', counts));
    this.empty('cycles', emptyState('cycles', counts));
    this.empty('vq', emptyState('curves', { ...counts, cycles: channel.curves.size }));
    this.empty('pressure', emptyState('pressure', { ...counts, points: channel.environment.columns.pressure.filter(v => v !== null).length }));
    this.empty('temperature', emptyState('temperature', { ...counts, points: channel.environment.columns.temperature.filter(v => v !== null).length }));
    this.updateCurves();
    this.spectrum.show(channel.spectrum);
  }

  empty(name, text) {
    const plot = this.elements[name];
    let note = plot.previousElementSibling?.classList.contains('plot-empty') ? plot.previousElementSibling : null;
    if (!text) { note?.remove(); return; }
    if (!note) {
      note = element('p', { class: 'plot-empty', 'data-testid': `empty-${name}`, role: 'status' });
      plot.before(note);
    }
    note.textContent = text;
  }

  /** Default choice: the first cycles and the latest (the paper's Fig. 7d picks cycles the same way); ticks override it. */
  chosen(channel, available) {
    const ticked = this.chosenCurves.get(channel.key);
    if (ticked) { return available.filter(c => ticked.has(c)); }
    const latest = available[available.length - 1];
    return [...new Set([...available.slice(0, MAX_DEFAULT_CURVES - 1), latest])].filter(c => c !== undefined);
  }

  updateCurves() {
    const channel = this.channel;
    const available = [...channel.curves.keys()].sort((a, b) => a - b);
    const chosen = this.chosen(channel, available);
    const key = `${available.join(',')}|${chosen.join(',')}`;
    if (key === this.curveKey) { return; }
    this.curveKey = key;
    this.elements.picker.replaceChildren(...available.map(cycle => element('label', {},
      element('input', { type: 'checkbox', checked: chosen.includes(cycle), 'data-cycle': cycle, onchange: event => this.toggle(cycle, event.target.checked, chosen) }),
      ` ${cycle}`)));
    this.vq?.destroy();
    const area = channel.history?.area_cm2 ?? channel.state?.cell?.area_cm2 ?? 1;
    this.vq = voltageCapacityChart(this.elements.vq, chosen.map(c => channel.curves.get(c)), area);
    this.elements.vq.dataset.cycles = chosen.join(',');
  }

  toggle(cycle, on, chosen) {
    const ticked = new Set(chosen);
    if (on) { ticked.add(cycle); } else { ticked.delete(cycle); }
    this.chosenCurves.set(this.channel.key, ticked);
    this.curveKey = '';
    this.updateCurves();
  }
}
