// Start-up: log in, connect, wire messages into the model, and redraw at most twice a second.
import { Alarms } from './alarms.js';
import { RigConnection } from './connection.js';
import { ChannelDetail } from './detail.js';
import { clock, element } from './format.js';
import { Model } from './model.js';
import { renderOperator, zoneLine } from './operator.js';
import { renderOverview } from './overview.js';
import { renderLab } from './lab.js';

const $ = id => document.getElementById(id);
const LAST_LOGIN = 'anodefreerig.login';
const REDRAW_MS = 500;
const AGE_TICK_MS = 1000;
/** A dry run is bounded at 30 s of wall time on the rig (Engine:DryRun:WallTimeLimit); its deferred reply is waited for a little longer. */
const DRY_RUN_REPLY_MS = 45000;
/** How long one export-zip part may take: part 0 exports and zips the test on the rig (~15 s for 400 cycles here). */
const EXPORT_PART_REPLY_MS = 120000;

const page = { connection: null, model: null, selected: null, role: 'checking', refusal: '', dirty: true, probedRig: null, focusedRig: null, predictions: new Map() };

function defaults() {
  const query = new URLSearchParams(location.search);
  const saved = JSON.parse(localStorage.getItem(LAST_LOGIN) ?? '{}');
  // Opened from the broker host (mosquitto's http_dir): the broker is the page's own origin.
  const sameOrigin = location.protocol.startsWith('http') ? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/` : '';
  return {
    url: query.get('broker') ?? saved.url ?? sameOrigin,
    prefix: query.get('prefix') ?? saved.prefix ?? 'anodefreerig',
    username: query.get('user') ?? saved.username ?? '',
  };
}

function showLogin(message = '') {
  const form = $('login-form');
  for (const [name, value] of Object.entries(defaults())) { form.elements[name].value = value; }
  $('login-error').textContent = message;
  if (!$('login').open) { $('login').showModal(); }
}

async function login(event) {
  event.preventDefault();
  const form = event.target.elements;
  const settings = { url: form.url.value.trim(), prefix: form.prefix.value.trim(), username: form.username.value.trim(), password: form.password.value };
  const connection = new RigConnection(settings);
  $('login-error').textContent = 'connecting…';
  try {
    await connection.connect();
  } catch (error) {
    $('login-error').textContent = `Not connected: ${error.message}`;
    return;
  }
  localStorage.setItem(LAST_LOGIN, JSON.stringify({ url: settings.url, prefix: settings.prefix, username: settings.username }));
  $('login').close();
  start(connection);
}

function start(connection) {
  page.connection = connection;
  page.model = new Model();
  page.model.attach(connection);
  page.alarms = new Alarms($('alarm-list'), $('alarm-count'), $('ack-all'));
  page.detail = new ChannelDetail($('detail'));
  $('login-info').textContent = `${connection.username} @ ${connection.url}`;
  $('logout').hidden = false;
  connection.addEventListener('status', e => {
    $('connection').textContent = e.detail.connected ? 'connected' : `disconnected${e.detail.error ? `: ${e.detail.error}` : ''}`;
    $('connection').className = `badge ${e.detail.connected ? 'ok' : 'alarm'}`;
  });
  $('connection').textContent = 'connected';
  $('connection').className = 'badge ok';
  page.model.addEventListener('changed', () => { page.dirty = true; });
  setRole('checking');
  setInterval(redraw, REDRAW_MS);
  // Data ages grow while nothing arrives (a stopped rig sends nothing): the cards are redrawn once a second regardless.
  setInterval(() => { page.dirty = true; }, AGE_TICK_MS);
}

/** The broker's ACL is the truth: a harmless command (list-tests) that the broker refuses means a read-only login. */
async function probeRole(rigId) {
  page.probedRig = rigId;
  const result = await page.connection.probe(rigId);
  setRole(result.allowed ? 'operator' : 'viewer', result.message);
}

function setRole(role, refusal = '') {
  page.role = role;
  page.refusal = refusal;
  $('role').textContent = { operator: 'operator', viewer: 'read-only', checking: 'checking rights…' }[role];
  $('role').className = `badge ${role === 'operator' ? 'ok' : role === 'viewer' ? 'warn' : 'quiet'}`;
  if (refusal) { addReply({ ok: false, verb: 'list-tests', message: refusal }); }
  renderActions();
}

function select(key) {
  page.selected = key;
  page.dirty = true;
  redraw();
  renderActions();
}

/** The lab view's click-through: only this rig's cards (null: every rig), its first channel selected. */
function focusRig(rig) {
  page.focusedRig = rig;
  const first = rig && [...page.model.channels()].find(c => c.rig === rig);
  if (first && selectedChannel()?.rig !== rig) { select(first.key); }
  page.dirty = true;
  redraw();
}

function selectedChannel() {
  for (const channel of page.model.channels()) { if (channel.key === page.selected) { return channel; } }
  return null;
}

function renderActions() {
  const channel = page.model && selectedChannel();
  const rig = channel && page.model.rigs.get(channel.rig);
  renderOperator($('operator'), {
    channel, rig, role: page.role, refusal: page.refusal,
    username: page.connection?.username, send, zoneState: rig?.zones.get(channel.state?.heater_zone),
    prediction: channel && page.predictions.get(channel.key), predict,
  });
}

async function send(verb, body, localError) {
  if (localError) { addReply({ ok: false, verb: 'start', message: localError }); return; }
  const channel = selectedChannel();
  if (verb === 'export-zip') { await downloadInParts(channel, body.test_id); return; }
  addReply({ ok: true, verb, message: 'sent…', pending: true });
  addReply(await page.connection.command(channel.rig, verb, body));
}

/** A dry run of the start form's inputs; its prediction is kept per channel and shown beside Start. */
async function predict(body, inputs) {
  const channel = selectedChannel();
  page.predictions.set(channel.key, { inputs, pending: true });
  renderActions();
  const reply = await page.connection.command(channel.rig, 'dry-run', body, DRY_RUN_REPLY_MS);
  addReply({ ...reply, verb: 'dry-run', data: undefined });
  page.predictions.set(channel.key, { inputs, reply });
  if (selectedChannel()?.key === channel.key) { renderActions(); }
}

/**
 * export-zip answers with one part of the zip per reply (4 MiB; a 400-cycle test is ~8 parts, docs/benchmarks.md): each
 * part is asked for in turn, then the joined zip is offered once. Part 0 exports the test on the rig (seconds to a
 * minute on a Pi for a long test), hence the long wait per reply.
 */
async function downloadInParts(channel, testId) {
  addReply({ ok: true, verb: 'export-zip', message: 'sent…', pending: true });
  const chunks = [];
  let first = null;
  for (let part = 0; ; part++) {
    const reply = await page.connection.command(channel.rig, 'export-zip', { test_id: testId, part }, EXPORT_PART_REPLY_MS);
    if (!reply.ok || !reply.data) { addReply({ ...reply, verb: 'export-zip', data: undefined }); return; }
    if (first && reply.data.bytes !== first.bytes) { addReply({ ok: false, verb: 'export-zip', message: `the export of ${testId} changed while it downloaded: export again` }); return; }
    first ??= reply.data;
    chunks.push(Uint8Array.from(atob(reply.data.zip_base64), c => c.charCodeAt(0)));
    if (part + 1 >= reply.data.parts) { break; }
    addReply({ ok: true, verb: 'export-zip', message: `part ${part + 1} of ${reply.data.parts} received`, pending: true });
  }
  addReply({ ok: true, verb: 'export-zip', message: `${first.file}: ${first.bytes} bytes in ${chunks.length} part(s)`, data: { file: first.file, chunks } });
}

function addReply(reply) {
  const download = reply.ok && reply.data?.chunks ? downloadLink(reply.data) : null;
  $('reply-list').prepend(element('li', { class: reply.ok ? 'ok' : 'error', 'data-testid': reply.pending ? 'reply-pending' : 'reply', 'data-verb': reply.verb },
    `${clock(Date.now() / 1000)} ${reply.verb}: ${reply.ok ? 'ok' : 'refused'} — ${reply.message} `, download));
  download?.click();
}

/** The joined parts of an export-zip: offered as a download, and downloaded once at once. */
function downloadLink({ file, chunks }) {
  const url = URL.createObjectURL(new Blob(chunks, { type: 'application/zip' }));
  return element('a', { href: url, download: file, 'data-testid': 'download' }, `Download ${file}`);
}

function redraw() {
  if (!page.dirty) { return; }
  page.dirty = false;
  const channels = [...page.model.channels()];
  if (!page.selected && channels.length) { select(channels[0].key); return; }
  // Cards are rebuilt: keep the keyboard's place (a card with focus keeps it after the redraw).
  const focused = $('main').contains(document.activeElement) ? document.activeElement.dataset.testid : null;
  renderLab($('lab'), page.model, {
    focusedRig: page.focusedRig,
    openAlarms: rig => page.alarms.openFor(rig),
    onRig: focusRig,
    onChannel: (key, rig) => { focusRig(rig); select(key); },
  });
  renderOverview($('overview'), page.model, page.selected, select, Date.now() / 1000, page.focusedRig);
  if (focused) { ($('lab').querySelector(`[data-testid="${focused}"]`) ?? $('overview').querySelector(`[data-testid="${focused}"]`))?.focus(); }
  const channel = selectedChannel();
  if (channel) { page.detail.show(channel); page.detail.update(); }
  page.alarms.render(page.model.events);
  const online = [...page.model.rigs.values()].find(r => r.online);
  if (online && !page.probedRig) { probeRole(online.id); }
  const zone = channel && page.model.rigs.get(channel.rig)?.zones.get(channel.state?.heater_zone);
  const actionsKey = channel && `${channel.key}|${page.role}|${channel.state?.heater_zone}|${channel.state?.cell?.chemistry}|${channel.state?.run_state}|${channel.state?.test_id}|${page.model.rigs.get(channel.rig)?.info ? 1 : 0}|${zone ? zoneLine(zone) : ''}`;
  if (channel && page.actionsFor !== actionsKey) {
    page.actionsFor = actionsKey;
    renderActions();
  }
}

$('login-form').addEventListener('submit', login);
$('logout').addEventListener('click', () => { page.connection?.close(); localStorage.removeItem(LAST_LOGIN); location.reload(); });
showLogin();
