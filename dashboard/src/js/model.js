// Everything the page knows, built only from broker messages: rigs (status, info), channels (retained state, live
// telemetry, cycle history) and events. Views read it; nothing here touches the DOM.

/** Points kept per live trace: a day at 1 Hz; older points drop off the front. */
export const TRACE_CAPACITY = 86400;

class Trace {
  constructor(names) {
    this.names = names;
    this.columns = Object.fromEntries(names.map(n => [n, []]));
  }
  /** Adds a point in time order (a state message and a test sample may arrive out of order); a repeated time is dropped. */
  push(point) {
    const times = this.columns[this.names[0]];
    const t = point[this.names[0]];
    if (times.length && t <= times[times.length - 1]) {
      let low = 0, high = times.length;
      while (low < high) { const mid = (low + high) >> 1; if (times[mid] < t) { low = mid + 1; } else { high = mid; } }
      if (times[low] === t) { return; }
      for (const name of this.names) { this.columns[name].splice(low, 0, point[name] ?? null); }
      return;
    }
    for (const name of this.names) { this.columns[name].push(point[name] ?? null); }
    if (this.columns[this.names[0]].length > TRACE_CAPACITY) {
      for (const name of this.names) { this.columns[name].splice(0, TRACE_CAPACITY / 10); }
    }
  }
  get length() { return this.columns[this.names[0]].length; }
  last(name) { const c = this.columns[name]; return c.length ? c[c.length - 1] : null; }
  clear() { for (const name of this.names) { this.columns[name].length = 0; } }
}

export class Channel {
  constructor(rig, id) {
    this.rig = rig;
    this.id = id;
    this.key = `${rig}/${id}`;
    this.state = null;
    /** Test samples (telemetry topic): time, V, mA. */
    this.electrical = new Trace(['t', 'voltage', 'currentMilliamps']);
    /** Stack pressure and temperature from telemetry and from the state message (which also covers idle channels). */
    this.environment = new Trace(['t', 'pressure', 'temperature']);
    this.history = null;
    /** The latest impedance spectrum document, or null. */
    this.spectrum = null;
    /** Voltage-capacity curves by cycle, from every history message of the current test seen since the page opened. */
    this.curves = new Map();
    this.lastSeq = new Map();
    this.version = 0;
  }

  /** At-least-once delivery (docs/telemetry.md): a seq already seen on a stream is a duplicate. */
  isDuplicate(stream, seq) {
    if (typeof seq !== 'number') { return false; }
    const last = this.lastSeq.get(stream);
    if (last !== undefined && seq <= last) { return true; }
    this.lastSeq.set(stream, seq);
    return false;
  }

  onState(state) {
    // A new test replaces the V/I trace of the one before; the first state after the page opens clears nothing.
    if (this.state?.test_id && state.test_id && this.state.test_id !== state.test_id) { this.electrical.clear(); }
    this.state = state;
    if (state.sampled_at) {
      // The state message carries the channel's latest live sample, tested or not: an idle channel's OCV and a
      // paused test's readings are drawn from it, between test samples.
      const t = Date.parse(state.sampled_at) / 1000;
      this.electrical.push({ t, voltage: state.voltage_V, currentMilliamps: state.current_A * 1000 });
      this.environment.push({ t, pressure: state.stack_pressure_MPa, temperature: state.temperature_degC });
    }
    this.version++;
  }

  onTelemetry(sample) {
    // A new test id resets the check: a rig whose store was replaced counts from 1 again.
    if (this.latestSample?.test_id !== sample.test_id) { this.lastSeq.delete('telemetry'); }
    if (this.isDuplicate('telemetry', sample.seq)) { return; }
    const t = sample.unix_time_s;
    this.electrical.push({ t, voltage: sample.voltage_V, currentMilliamps: sample.current_A * 1000 });
    this.environment.push({ t, pressure: sample.stack_pressure_MPa, temperature: sample.temperature_degC });
    this.latestSample = sample;
    this.version++;
  }

  /** The retained recent trace (the last hours at a coarse spacing): fills the live traces of a page opened mid-test. */
  onRecent(recent) {
    const t = recent.unix_time_s ?? [];
    for (let i = 0; i < t.length; i++) {
      this.electrical.push({ t: t[i], voltage: recent.voltage_V[i], currentMilliamps: recent.current_A[i] === null ? null : recent.current_A[i] * 1000 });
      this.environment.push({ t: t[i], pressure: recent.stack_pressure_MPa[i], temperature: recent.temperature_degC[i] });
    }
    this.version++;
  }

  onHistory(history) {
    if (this.history?.test_id !== history.test_id) { this.curves.clear(); }
    this.history = history;
    for (const curve of history.curves ?? []) { this.curves.set(curve.cycle, curve); }
    this.version++;
  }

  /** The channel's latest impedance spectrum (retained; docs/impedance.md): a newer one replaces it. */
  onSpectrum(spectrum) {
    this.spectrum = spectrum;
    this.version++;
  }

  /** A cycle summary arriving between two history messages (they are published together; this keeps the order safe). */
  onCycle(cycle) {
    if (this.isDuplicate('cycles', cycle.seq) || !this.history || this.history.test_id !== cycle.test_id) { return; }
    const columns = this.history.cycles;
    if (columns.cycle.includes(cycle.cycle)) { return; }
    for (const name of Object.keys(columns)) { columns[name].push(name === 'cycle' ? cycle.cycle : cycle[name] ?? null); }
    this.version++;
  }

  /** The newest readings: the last telemetry sample when it is newer than the state message, else the state's. */
  get live() {
    const s = this.state ?? {};
    const sample = this.latestSample;
    const stateTime = s.sampled_at ? Date.parse(s.sampled_at) / 1000 : -Infinity;
    return sample && sample.unix_time_s > stateTime && sample.test_id === s.test_id ? sample : s;
  }

  get cyclesClosed() { return this.history?.cycles.cycle.length ?? 0; }

  /** Unix time of the newest reading (the last test sample or the state's sample; the state's own time without one). */
  get newestTime() {
    const s = this.state ?? {};
    const sampled = s.sampled_at ? Date.parse(s.sampled_at) / 1000 : (typeof s.unix_time_s === 'number' ? s.unix_time_s : null);
    const sample = this.latestSample?.unix_time_s ?? null;
    if (sampled === null) { return sample; }
    return sample === null ? sampled : Math.max(sampled, sample);
  }
}

export class Rig {
  constructor(id) {
    this.id = id;
    this.online = false;
    this.info = null;
    this.channels = new Map();
    /** Heater zones' retained state (zone/<zone>/state): mode, gains, autotune progress and proposal. */
    this.zones = new Map();
  }
  channel(id) {
    if (!this.channels.has(id)) { this.channels.set(id, new Channel(this.id, id)); }
    return this.channels.get(id);
  }
}

export class Model extends EventTarget {
  constructor() {
    super();
    this.rigs = new Map();
    this.events = [];
    this.eventSeq = new Map();
  }

  rig(id) {
    if (!this.rigs.has(id)) { this.rigs.set(id, new Rig(id)); }
    return this.rigs.get(id);
  }

  /** Wires the connection's messages into the model; every change is announced as a 'changed' event. */
  attach(connection) {
    const on = (type, apply) => connection.addEventListener(type, e => { apply(e.detail); this.changed(e.detail.rig, e.detail.channel); });
    on('rig-status', d => { this.rig(d.rig).online = d.online; });
    on('rig-info', d => {
      const rig = this.rig(d.rig);
      rig.info = d.body;
      for (const c of d.body.channels ?? []) { rig.channel(c.id); }
    });
    on('rig-event', d => this.onEvent(d.rig, d.body));
    on('zone-state', d => { this.rig(d.rig).zones.set(d.zone, d.body); });
    on('channel-state', d => this.rig(d.rig).channel(d.channel).onState(d.body));
    on('channel-telemetry', d => this.rig(d.rig).channel(d.channel).onTelemetry(d.body));
    on('channel-history', d => this.rig(d.rig).channel(d.channel).onHistory(d.body));
    on('channel-recent', d => this.rig(d.rig).channel(d.channel).onRecent(d.body));
    on('channel-cycles', d => this.rig(d.rig).channel(d.channel).onCycle(d.body));
    on('channel-spectrum', d => this.rig(d.rig).channel(d.channel).onSpectrum(d.body));
  }

  onEvent(rig, event) {
    const last = this.eventSeq.get(rig);
    if (typeof event.seq === 'number' && last !== undefined && event.seq <= last) { return; }
    this.eventSeq.set(rig, event.seq);
    this.events.unshift({ ...event, rig, key: `${rig}/${event.seq}` });
    this.events.length = Math.min(this.events.length, 500);
  }

  changed(rig, channel) { this.dispatchEvent(new CustomEvent('changed', { detail: { rig, channel } })); }

  *channels() {
    for (const rig of [...this.rigs.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      for (const channel of [...rig.channels.values()].sort((a, b) => a.id.localeCompare(b.id))) { yield channel; }
    }
  }
}
