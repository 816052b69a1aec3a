// The page's only link to the rigs: MQTT 5 over WebSockets to the lab broker. Subscribes to the documented topic tree
// (docs/telemetry.md) and sends commands with a response topic under the rig's own tree, which is where the broker's
// ACL lets the rig write its reply (deploy/README.md, "Replies to commands").
import mqtt from 'mqtt';

const REPLY_TIMEOUT_MS = 15000;
const NOT_AUTHORIZED = 135;

export class RigConnection extends EventTarget {
  constructor({ url, prefix, username, password }) {
    super();
    this.url = url;
    this.prefix = prefix;
    this.username = username;
    this.password = password;
    this.pending = new Map();
    this.nextId = 1;
    this.client = null;
  }

  /** Resolves on the first CONNACK; rejects with the broker's reason (wrong password, refused) or a network error. */
  connect() {
    return new Promise((resolve, reject) => {
      let settled = false;
      this.client = mqtt.connect(this.url, {
        protocolVersion: 5,
        username: this.username,
        password: this.password,
        // The lab broker takes only client ids that start with "anodefreerig-" (docs/telemetry.md, "Client ids").
        clientId: `anodefreerig-dash-${this.username}-${Math.random().toString(16).slice(2, 10)}`,
        clean: true,
        reconnectPeriod: 2000,
        connectTimeout: 10000,
      });
      // A wrong address or a dead broker gives no error in a browser, only reconnect attempts: give up on the login.
      const timer = setTimeout(() => {
        if (!settled) { settled = true; this.client.end(true); reject(new Error(`no answer from ${this.url} within 15 s`)); }
      }, 15000);
      this.client.on('connect', () => {
        clearTimeout(timer);
        this.subscribe();
        this.emit('status', { connected: true });
        if (!settled) { settled = true; resolve(); }
      });
      this.client.on('close', () => this.emit('status', { connected: false }));
      this.client.on('error', error => {
        // A refused login will not get better by retrying: stop, and say why.
        if (!settled) { settled = true; this.client.end(true); reject(error); }
        this.emit('status', { connected: false, error: error.message });
      });
      this.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    });
  }

  close() {
    for (const waiting of this.pending.values()) { clearTimeout(waiting.timer); }
    this.pending.clear();
    this.client?.end(true);
  }

  subscribe() {
    const p = this.prefix;
    this.client.subscribe([
      `${p}/+/status`, `${p}/+/info`, `${p}/+/events`,
      `${p}/+/+/state`, `${p}/+/+/telemetry`, `${p}/+/+/cycles`, `${p}/+/+/history`, `${p}/+/+/recent`, `${p}/+/+/spectrum`,
      `${p}/+/zone/+/state`,
      `${p}/+/reply/${this.username}/#`,
    ], { qos: 1 });
  }

  onMessage(topic, payload, packet) {
    const levels = topic.split('/');
    if (levels.length < 3 || levels[0] !== this.prefix) { return; }
    const rig = levels[1];
    if (levels[2] === 'reply') { this.onReply(topic, payload); return; }
    const text = new TextDecoder().decode(payload);
    if (levels[2] === 'status') { this.emit('rig-status', { rig, online: text === 'online' }); return; }
    if (text.length === 0) { return; } // a retained message being cleared
    let body;
    try { body = JSON.parse(text); } catch { return; }
    if (levels.length === 3) {
      this.emit(levels[2] === 'info' ? 'rig-info' : 'rig-event', { rig, body, retained: packet.retain });
    } else if (levels.length === 4) {
      this.emit(`channel-${levels[3]}`, { rig, channel: levels[2], body, retained: packet.retain });
    } else if (levels.length === 5 && levels[2] === 'zone' && levels[4] === 'state') {
      this.emit('zone-state', { rig, zone: levels[3], body });
    }
  }

  /**
   * Publishes a command (QoS 1) and waits for the rig's reply. Resolves {ok, message, data}; a command the broker
   * refuses (PUBACK "not authorized": this login may not command rigs) resolves {ok: false, refused: true}.
   */
  command(rig, verb, body, timeoutMs = REPLY_TIMEOUT_MS) {
    const id = `${Date.now().toString(36)}-${this.nextId++}`;
    const responseTopic = `${this.prefix}/${rig}/reply/${this.username}/${id}`;
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.pending.delete(responseTopic);
        resolve({ ok: false, verb, message: `no reply from ${rig} within ${timeoutMs / 1000} s` });
      }, timeoutMs);
      this.pending.set(responseTopic, { resolve, timer });
      this.client.publish(`${this.prefix}/${rig}/cmd/${verb}`, JSON.stringify(body),
        // A command the rig cannot run before the dashboard stops waiting is dropped (message expiry), and the rig
        // counts its rate limit per user (docs/telemetry.md, "Rate limit and age").
        { qos: 1, properties: { responseTopic, correlationData: id,
          messageExpiryInterval: Math.ceil(timeoutMs / 1000), userProperties: { client: this.username } } },
        error => {
          if (!error) { return; }
          clearTimeout(timer);
          this.pending.delete(responseTopic);
          const refused = error.code === NOT_AUTHORIZED;
          resolve({
            ok: false, verb, refused,
            message: refused
              ? `the broker refused '${verb}' from account '${this.username}' (not authorized): this login cannot send commands`
              : `'${verb}' not sent: ${error.message}`,
          });
        });
    });
  }

  /**
   * Asks the broker whether this login may command <rig>: publishes a harmless 'list-tests' and reads the PUBACK.
   * Resolves {allowed} at once; the rig's reply, if any, is not waited for.
   */
  probe(rig) {
    return new Promise(resolve => {
      this.client.publish(`${this.prefix}/${rig}/cmd/list-tests`, '{}',
        { qos: 1, properties: { responseTopic: `${this.prefix}/${rig}/reply/${this.username}/probe`, correlationData: 'probe' } },
        error => resolve(error
          ? { allowed: false, message: error.code === NOT_AUTHORIZED
            ? `the broker refused a command from account '${this.username}' (not authorized), so this page cannot pause, resume, abort or start tests`
            : `could not check command rights: ${error.message}` }
          : { allowed: true }));
    });
  }

  onReply(topic, payload) {
    const waiting = this.pending.get(topic);
    if (!waiting) { return; }
    clearTimeout(waiting.timer);
    this.pending.delete(topic);
    try {
      waiting.resolve(JSON.parse(new TextDecoder().decode(payload)));
    } catch {
      waiting.resolve({ ok: false, message: 'unreadable reply' });
    }
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}
