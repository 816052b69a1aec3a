// Alarms and events as they arrive (the rigs' "events" topics). Warnings and alarms wait for acknowledgement; an
// acknowledgement is this browser's (kept in localStorage), not the rig's: it changes nothing on the rig.
import { clock, element } from './format.js';

const STORAGE_KEY = 'anodefreerig.acknowledged';
const NEEDS_ACK = new Set(['warning', 'alarm']);

export class Alarms {
  constructor(list, counter, ackAll) {
    this.list = list;
    this.counter = counter;
    this.acked = new Set(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]'));
    ackAll.addEventListener('click', () => this.acknowledge(this.events.filter(e => NEEDS_ACK.has(e.severity)).map(e => e.key)));
    this.events = [];
  }

  render(events) {
    this.events = events;
    this.list.replaceChildren(...events.slice(0, 200).map(event => {
      const needsAck = NEEDS_ACK.has(event.severity);
      const acked = this.acked.has(event.key);
      return element('li', { class: `${event.severity}${acked ? ' acked' : ''}`, 'data-testid': 'alarm', 'data-code': event.code },
        `${clock(event.unix_time_s)} ${event.rig}/${event.source} ${event.severity}: ${event.message} `,
        needsAck && !acked ? element('button', { type: 'button', 'data-testid': 'ack', onclick: () => this.acknowledge([event.key]) }, 'Acknowledge') : null);
    }));
    const open = events.filter(e => NEEDS_ACK.has(e.severity) && !this.acked.has(e.key));
    const alarms = open.filter(e => e.severity === 'alarm').length;
    this.counter.textContent = open.length ? `${open.length} unacknowledged` : 'no alarms';
    this.counter.className = `badge ${alarms ? 'alarm' : open.length ? 'warn' : 'quiet'}`;
  }

  /** Warnings and alarms of one rig still waiting for acknowledgement (the lab view's count). */
  openFor(rig) {
    return this.events.filter(e => e.rig === rig && NEEDS_ACK.has(e.severity) && !this.acked.has(e.key)).length;
  }

  acknowledge(keys) {
    for (const key of keys) { this.acked.add(key); }
    // Keep the newest acknowledgements only: the list is bounded like the event list.
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...this.acked].slice(-2000)));
    this.render(this.events);
  }
}
