// End-to-end check of the dashboard in headless Chromium (Debian's, driven by playwright-core) against a real broker
// and the real rig service on simulated hardware, both started by the caller (tests/Rig.Service.Tests/Dashboard).
// Environment: DASHBOARD_URL (page served by mosquitto's http_dir), BROKER_WS_URL, BROKER_TCP_URL, RIG (rig id),
// OPERATOR / OPERATOR_PASSWORD, VIEWER / VIEWER_PASSWORD, ARTIFACTS (screenshot folder), CHROMIUM (default /usr/bin/chromium).
// Exits 0 when every check passed; prints each check as it passes and the reason when one fails.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { chromium } from 'playwright-core';
import { duration } from '../src/js/format.js';
import { checkContrast, checkLayout } from './layout.mjs';

const env = name => { const v = process.env[name]; if (!v) { throw new Error(`${name} is not set`); } return v; };
const rig = env('RIG');
/** A second rig on the broker (optional): listed in the lab view, frozen at the end to show its cards go stale. */
const rig2 = process.env.RIG2;
const artifacts = env('ARTIFACTS');
mkdirSync(artifacts, { recursive: true });
const step = message => console.log(`ok - ${message}`);
const card = (channel, part = '') => `[data-testid="card-${rig}-${channel}${part ? `-${part}` : ''}"]`;

/**
 * Every command that reaches the broker's command topics, seen by an observer of the whole tree; and the rig's replies
 * to the operator's page (what the page was told, to compare with what it shows).
 */
async function observeCommands() {
  const client = await mqtt.connectAsync(env('BROKER_TCP_URL'), { username: env('OPERATOR'), password: env('OPERATOR_PASSWORD'), protocolVersion: 5 });
  const seen = [];
  const replies = [];
  client.on('message', (topic, payload) => (topic.includes('/reply/') ? replies : seen).push({ topic, body: payload.toString() }));
  await client.subscribeAsync([`+/${rig}/cmd/#`, `anodefreerig/${rig}/reply/${env('OPERATOR')}/#`], { qos: 1 });
  return { seen, replies, client, close: () => client.endAsync() };
}

/** The rig's retained message on a topic (a fresh subscription gets it at once), parsed. */
async function retained(topic, timeoutMs = 30000) {
  const client = await mqtt.connectAsync(env('BROKER_TCP_URL'), { username: env('OPERATOR'), password: env('OPERATOR_PASSWORD'), protocolVersion: 5 });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no retained message on ${topic} within ${timeoutMs / 1000} s`)), timeoutMs);
      client.on('message', (t, payload) => { if (payload.length) { clearTimeout(timer); resolve(JSON.parse(payload.toString())); } });
      client.subscribe(topic, { qos: 1 });
    });
  } finally {
    await client.endAsync();
  }
}

/** A command sent straight to the broker (as a script would), with a response topic; resolves with the rig's reply. */
async function commandOverMqtt(client, verb, body) {
  const responseTopic = `anodefreerig/${rig}/reply/${env('OPERATOR')}/e2e-${verb}-${Date.now()}`;
  const reply = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${verb} within 20 s`)), 20000);
    client.on('message', (topic, payload) => { if (topic === responseTopic) { clearTimeout(timer); resolve(JSON.parse(payload.toString())); } });
  });
  await client.publishAsync(`anodefreerig/${rig}/cmd/${verb}`, JSON.stringify(body), { qos: 1, properties: { responseTopic, correlationData: Buffer.from('e2e') } });
  return reply;
}

/**
 * The rig's state of each channel (output_on and interlocks straight from the service), from a sample the rig took
 * after the all-off interlock was raised (its `since`): a state published after all-off may still carry the sample
 * taken just before it, so the publish time alone proves nothing about the output. A state without the interlock is
 * kept too (and fails the caller's check): all-off must hold until cleared.
 */
async function statesSampledAfterAllOff(channels) {
  const client = await mqtt.connectAsync(env('BROKER_TCP_URL'), { username: env('OPERATOR'), password: env('OPERATOR_PASSWORD'), protocolVersion: 5 });
  const states = {};
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString());
    const allOff = (body.interlocks ?? []).find(i => i.kind === 'AllOff');
    if (!allOff || Date.parse(body.sampled_at) > Date.parse(allOff.since)) { states[topic.split('/')[2]] = body; }
  });
  await client.subscribeAsync(channels.map(c => `anodefreerig/${rig}/${c}/state`), { qos: 1 });
  await waitFor('a state of every channel sampled after all-off', async () => channels.every(c => states[c]) || Object.keys(states), 15000);
  await client.endAsync();
  return states;
}

async function login(page, user, password) {
  const url = new URL(env('DASHBOARD_URL'));
  url.searchParams.set('broker', env('BROKER_WS_URL'));
  url.searchParams.set('user', user);
  await page.goto(url.toString());
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('[data-testid=connection].ok', { timeout: 15000 });
}

const text = (page, selector) => page.locator(selector).innerText({ timeout: 5000 });

async function waitFor(description, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) { return; }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description} (last: ${JSON.stringify(last)})`);
}

/**
 * The page as a phone and a wall display show it, mid-test: geometry checked in the browser (nothing scrolls
 * sideways, nothing overlaps, cards readable), a full-page screenshot kept either way.
 */
async function checkLayoutAt(name, width, height) {
  const phone = width < 800;
  const context = await browser.newContext({ viewport: { width, height }, isMobile: phone, hasTouch: phone });
  const p = await context.newPage();
  try {
    await login(p, env('OPERATOR'), env('OPERATOR_PASSWORD'));
    await p.click(card('ch1'));
    await p.waitForSelector('[data-testid=role].ok', { timeout: 15000 });
    await p.waitForSelector('[data-testid=start-form]', { timeout: 10000 });
    await waitFor(`the ${name} page to draw the cycles`, async () => Number(await p.getAttribute('[data-testid=plot-cycles]', 'data-cycles')) >= 1
      || await p.getAttribute('[data-testid=plot-cycles]', 'data-cycles'), 15000);
    await p.waitForTimeout(600); // one redraw after the last message, so the checked layout is the one shown
    const result = await checkLayout(p);
    await p.screenshot({ path: join(artifacts, `dashboard-${name}.png`), fullPage: true });
    if (result.problems.length) { throw new Error(`${name} layout (${width}x${height}):\n  ${result.problems.join('\n  ')}`); }
    step(`${name} layout at ${width}x${height}: ${result.cards} cards, page ${result.scroll} px wide in a ${result.viewport} px viewport, nothing overlaps (dashboard-${name}.png)`);
    const colours = await checkContrast(p);
    if (colours.problems.length) { throw new Error(`${name}: text below WCAG AA contrast:\n  ${colours.problems.join('\n  ')}`); }
    step(`${name}: all ${colours.checked} text elements meet WCAG AA contrast`);
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  timeout: 60000,
});
const observer = await observeCommands();
let page;
try {
  // --- an operator: sees the rig, starts a test, watches it, pauses it ---------------------------------------------
  const operatorContext = await browser.newContext({ viewport: { width: 1500, height: 1300 } });
  page = await operatorContext.newPage();
  page.on('pageerror', error => console.log(`page error: ${error.message}`));
  await login(page, env('OPERATOR'), env('OPERATOR_PASSWORD'));
  await page.waitForSelector(card('ch1'), { timeout: 15000 });
  await page.waitForSelector(card('ch2'), { timeout: 15000 });
  step('the page shows both channels of the rig');
  if (rig2) {
    // The lab view: every rig found on the broker, each channel a compact row; a rig's row leads to its cards alone.
    const rows = [];
    for (const r of [rig, rig2]) {
      for (const c of ['ch1', 'ch2']) {
        await page.waitForSelector(`[data-testid=lab-row-${r}-${c}]`, { timeout: 15000 });
        rows.push(`${r}/${c}: ${(await text(page, `[data-testid=lab-row-${r}-${c}]`)).replace(/\s+/g, ' ')}`);
      }
    }
    step(`the lab view lists both rigs: ${rows.join(' | ')}`);
    await page.click(`[data-testid=lab-rig-${rig2}]`);
    await page.waitForSelector(`[data-testid=card-${rig2}-ch1]`, { timeout: 5000 });
    await waitFor(`only ${rig2}'s cards`, async () => (await page.locator(card('ch1')).count()) === 0 || 'rig-01 still shown', 5000);
    await page.click('[data-testid=lab-all]');
    await page.waitForSelector(card('ch1'), { timeout: 5000 });
    step(`clicking ${rig2} in the lab view shows its cards alone; "Show every rig" brings both back`);
  }
  await page.waitForSelector('[data-testid=role].ok', { timeout: 15000 });
  step(`the login is recognised as an operator (${await text(page, '[data-testid=role]')})`);

  await page.click(card('ch1'));
  await page.waitForSelector('[data-testid=start-form]', { timeout: 10000 });
  // A channel with no spectrum says so instead of drawing empty plots.
  const noSpectrum = await text(page, '[data-testid=empty-spectrum]');
  if (!/No impedance spectrum/.test(noSpectrum)) { throw new Error(`no readable empty state for spectra: "${noSpectrum}"`); }
  await page.selectOption('[data-testid=preset]', 'plating-stripping-1mAh');
  await page.fill('[data-testid=parameters]', 'rest = 2 s\ncurrent = 2 mA/cm2\ncapacity = 0.005 mAh/cm2\ncycles = 200');
  // --- a dry run before Start: the prediction beside Start is the rig's own answer ---------------------------------
  const repliesBefore = observer.replies.length;
  await page.click('[data-testid=predict]');
  await page.waitForSelector('[data-testid=prediction][data-duration-s]', { timeout: 50000 });
  await waitFor('the dry-run reply on the broker', async () => observer.replies.slice(repliesBefore).some(r => JSON.parse(r.body).verb === 'dry-run') || observer.replies.length, 5000);
  const dryRun = JSON.parse(observer.replies.slice(repliesBefore).find(r => JSON.parse(r.body).verb === 'dry-run').body);
  if (!dryRun.ok) { throw new Error(`dry-run refused: ${dryRun.message}`); }
  const shownSeconds = Number(await page.getAttribute('[data-testid=prediction]', 'data-duration-s'));
  const shownDuration = await text(page, '[data-testid=prediction-duration]');
  if (shownSeconds !== dryRun.data.duration_s || shownDuration !== duration(dryRun.data.duration_s)) {
    throw new Error(`the page shows ${shownSeconds} s ("${shownDuration}"), the rig's dry run said ${dryRun.data.duration_s} s`);
  }
  for (const part of ['capacity', 'retention', 'limit']) { await page.waitForSelector(`[data-testid=prediction-${part}]`, { timeout: 1000 }); }
  step(`prediction before Start: "${shownDuration}" = the dry-run reply's duration_s ${dryRun.data.duration_s}; ${(await text(page, '[data-testid=prediction]')).replace(/\s+/g, ' ').slice(0, 300)}`);
  await page.click('[data-testid=start]');
  await page.waitForSelector('[data-testid=reply][data-verb=start].ok', { timeout: 20000 });
  step(`start from the page answered: ${await text(page, '[data-testid=reply][data-verb=start]')}`);
  await waitFor('ch1 to run', async () => (await text(page, card('ch1', 'run'))).startsWith('running') || await text(page, card('ch1', 'run')), 20000);

  const first = await text(page, card('ch1', 'voltage'));
  // More than noise: the cell moves from its rest voltage into plating (tens of mV at least).
  await waitFor('the live voltage to change by more than 10 mV', async () => {
    const now = await text(page, card('ch1', 'voltage'));
    return Math.abs(parseFloat(now) - parseFloat(first)) > 0.010 || now;
  }, 30000);
  step(`live voltage changes (${first} -> ${await text(page, card('ch1', 'voltage'))})`);
  await waitFor('the V/I plot to fill', async () => Number(await page.getAttribute('[data-testid=plot-vi]', 'data-points')) > 10 || await page.getAttribute('[data-testid=plot-vi]', 'data-points'), 20000);

  await waitFor('a cycle to close and reach the capacity plot', async () => Number(await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles')) >= 2
    || await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles'), 90000);
  await page.waitForSelector('[data-testid=curve-picker] input[data-cycle="1"]', { timeout: 10000 });
  step(`cycles closed and are on the capacity/CE plot (${await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles')} cycles) and the V-capacity plot (cycles ${await page.getAttribute('[data-testid=plot-vq]', 'data-cycles')})`);
  const left = await text(page, card('ch1', 'left'));
  step(`time left shown: "${left}"`);
  // The channel's situation at a glance: control mode, elapsed times, step progress, compliance, links, data age.
  // Fresh: a reading arrived within the interval the rig promises plus 3 sample periods (a loaded CI machine may publish late once).
  await waitFor('ch1\'s card to be fresh', async () => /^updated/.test(await text(page, card('ch1', 'age'))) || await text(page, card('ch1', 'age')), 10000);
  const situation = {};
  for (const part of ['run', 'mode', 'test-time', 'step-time', 'progress', 'compliance', 'instrument', 'clamp', 'age']) {
    situation[part] = await text(page, card('ch1', part));
  }
  if (!/^(CC|rest)/.test(situation.mode)) { throw new Error(`no control mode on the card: ${JSON.stringify(situation)}`); }
  if (!/^updated/.test(situation.age) || situation.instrument !== 'ok' || situation.clamp !== 'ok') { throw new Error(`card situation: ${JSON.stringify(situation)}`); }
  if (!/ of | until /.test(situation.progress) || !/step [1-9]/.test(situation.run)) { throw new Error(`no step progress, or steps counted from 0: ${JSON.stringify(situation)}`); }
  step(`ch1's situation on its card: ${Object.entries(situation).map(([k, v]) => `${k} "${v.replace(/\n/g, ' / ')}"`).join(', ')}`);
  await page.screenshot({ path: join(artifacts, 'dashboard-live.png'), fullPage: true });
  await checkLayoutAt('phone', 390, 844);
  await checkLayoutAt('phone-360', 360, 740);
  await checkLayoutAt('desktop', 1920, 1080);

  // Keyboard alone: Tab reaches the cards (after the lab view's rows), Enter selects one, Shift+Tab and Enter go back.
  await page.focus('[data-testid=alarm-count]');
  let presses = 0;
  while (presses++ < 80 && await page.evaluate(() => document.activeElement?.dataset.testid) !== `card-${rig}-ch2`) { await page.keyboard.press('Tab'); }
  if (presses > 80) { throw new Error('Tab never reached the ch2 card'); }
  await page.keyboard.press('Enter');
  await waitFor('ch2 selected by keyboard', async () => (await text(page, '#operator h3')).includes('ch2') || await text(page, '#operator h3'), 5000);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await waitFor('ch1 selected by keyboard', async () => (await text(page, '#operator h3')).includes('ch1') || await text(page, '#operator h3'), 5000);
  step(`keyboard: Tab reaches the cards (${presses} presses from the header), Enter selects ch2, Shift+Tab and Enter ch1 again`);

  await page.click('[data-testid=pause]');
  await page.waitForSelector('[data-testid=reply][data-verb=pause].ok', { timeout: 20000 });
  await waitFor('ch1 to be paused', async () => (await text(page, card('ch1', 'run'))).startsWith('paused') || await text(page, card('ch1', 'run')), 20000);
  await waitFor('the output to be off (0 mA)', async () => Math.abs(parseFloat(await text(page, card('ch1', 'current')))) < 1e-3 || await text(page, card('ch1', 'current')), 20000);
  step(`a pause from the page paused the channel: ${await text(page, card('ch1', 'run'))}, ${await text(page, card('ch1', 'current'))}`);
  if (!observer.seen.some(m => m.topic.endsWith('/cmd/pause'))) { throw new Error('the observer never saw the pause command'); }

  await page.waitForSelector('[data-testid=alarm][data-code="engine.paused"] [data-testid=ack]', { timeout: 20000 });
  await page.click('[data-testid=alarm][data-code="engine.paused"] [data-testid=ack]');
  await waitFor('the pause warning to be acknowledged', async () => (await page.locator('[data-testid=alarm][data-code="engine.paused"] [data-testid=ack]').count()) === 0, 5000);
  step('the pause warning appeared in the alarm list and was acknowledged');

  // --- a reload: history comes back from retained messages alone (the paused channel closes no new cycle) -----------
  const cyclesBefore = Number(await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles'));
  await page.reload();
  await login(page, env('OPERATOR'), env('OPERATOR_PASSWORD'));
  await page.click(card('ch1'));
  await waitFor('the capacity plot to refill after a reload', async () => Number(await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles')) === cyclesBefore
    || await page.getAttribute('[data-testid=plot-cycles]', 'data-cycles'), 15000);
  await page.waitForSelector('[data-testid=curve-picker] input[data-cycle="1"]', { timeout: 10000 });
  step(`after a reload the capacity plot shows the same ${cyclesBefore} cycles from retained history`);
  // The live traces come back too, from the retained recent trace (more points than state messages could bring in 8 s).
  await waitFor('the V/I plot to refill from the recent trace', async () => Number(await page.getAttribute('[data-testid=plot-vi]', 'data-points')) >= 20
    || await page.getAttribute('[data-testid=plot-vi]', 'data-points'), 8000);
  step(`after a reload the V/I plot shows ${await page.getAttribute('[data-testid=plot-vi]', 'data-points')} points from the retained recent trace`);
  await page.screenshot({ path: join(artifacts, 'dashboard-operator.png'), fullPage: true });
  step(`screenshot ${join(artifacts, 'dashboard-operator.png')}`);

  // --- a read-only login: the broker refuses its commands and the page says so -------------------------------------
  const commandsBefore = observer.seen.length;
  const viewerContext = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  const viewer = await viewerContext.newPage();
  await login(viewer, env('VIEWER'), env('VIEWER_PASSWORD'));
  await viewer.waitForSelector('[data-testid=role].warn', { timeout: 15000 });
  await viewer.click(card('ch1'));
  const refusal = await text(viewer, '[data-testid=operator-unavailable]');
  if (!/refused/.test(refusal) || !/not authorized/.test(refusal)) { throw new Error(`viewer page does not say the broker refused: ${refusal}`); }
  if (await viewer.locator('[data-testid=pause], [data-testid=start], [data-testid=abort], [data-testid=all-off], [data-testid=export]').count() !== 0) { throw new Error('viewer page offers operator actions'); }
  await viewer.waitForTimeout(1500);
  if (observer.seen.length !== commandsBefore) { throw new Error(`a command from the viewer reached the broker's subscribers: ${JSON.stringify(observer.seen.slice(commandsBefore))}`); }
  const stillPaused = await text(viewer, card('ch1', 'run'));
  if (!stillPaused.startsWith('paused')) { throw new Error(`ch1 changed under a viewer: ${stillPaused}`); }
  step(`a read-only login cannot command: "${refusal}"`);
  await viewer.screenshot({ path: join(artifacts, 'dashboard-viewer.png'), fullPage: true });

  // --- back to the operator: a heater set-point for the paused channel's zone, then resume -------------------------
  await page.fill('[data-testid=setpoint]', '41');
  await page.click('[data-testid=set-heater]');
  await page.waitForSelector('[data-testid=reply][data-verb=set-heater].ok', { timeout: 20000 });
  step(`heater set-point from the page: ${await text(page, '[data-testid=reply][data-verb=set-heater]')}`);
  await page.click('[data-testid=resume]');
  await page.waitForSelector('[data-testid=reply][data-verb=resume].ok', { timeout: 20000 });
  await waitFor('ch1 to run again', async () => (await text(page, card('ch1', 'run'))).startsWith('running') || await text(page, card('ch1', 'run')), 20000);
  step(`resume from the page: ${await text(page, card('ch1', 'run'))}`);
  // What the operator types survives the panel's redraws (a state change rebuilds it: here, the pause and resume).
  await page.fill('[data-testid=parameters]', 'capacity = 0.004 mAh/cm2');
  await page.click('[data-testid=pause]');
  await waitFor('ch1 to be paused again', async () => (await text(page, card('ch1', 'run'))).startsWith('paused') || await text(page, card('ch1', 'run')), 20000);
  await page.click('[data-testid=resume]');
  await waitFor('ch1 to run again', async () => (await text(page, card('ch1', 'run'))).startsWith('running') || await text(page, card('ch1', 'run')), 20000);
  await page.waitForTimeout(700);
  const typed = await page.inputValue('[data-testid=parameters]');
  if (typed !== 'capacity = 0.004 mAh/cm2') { throw new Error(`typed parameters lost by a redraw of the action panel: "${typed}"`); }
  step('typed start parameters survive the action panel\'s redraws (pause, resume)');
  // Abort asks for a second click; only then the command goes out and the test ends.
  await page.click('[data-testid=abort]');
  await page.waitForTimeout(500);
  if (observer.seen.some(m => m.topic.endsWith('/cmd/abort'))) { throw new Error('one click on Abort sent the command'); }
  await page.click('[data-testid=abort]');
  await page.waitForSelector('[data-testid=reply][data-verb=abort].ok', { timeout: 20000 });
  await waitFor('ch1 to be aborted', async () => (await text(page, card('ch1', 'run'))).startsWith('aborted') || await text(page, card('ch1', 'run')), 20000);
  step(`abort from the page (two clicks): ${await text(page, card('ch1', 'run'))}`);

  // --- the finished test downloaded from the page (export-zip: the zip comes back in the reply, through the broker) --
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.click('[data-testid=export]')]);
  const zipPath = join(artifacts, download.suggestedFilename());
  await download.saveAs(zipPath);
  const zip = readFileSync(zipPath);
  if (zip[0] !== 0x50 || zip[1] !== 0x4b || !zip.includes(Buffer.from('.bdf.csv')) || !zip.includes(Buffer.from('.cycles.csv'))) { throw new Error(`the download is not the BDF zip: ${zipPath}`); }
  step(`export from the page downloaded ${download.suggestedFilename()} (${zip.length} bytes, BDF and cycle CSVs inside)`);

  // --- the heater tuning panel: an autotune started and cancelled from the page, typed parameters kept meanwhile ----
  await page.waitForSelector('[data-testid=zone-line]', { timeout: 10000 });
  const zoneBefore = await text(page, '[data-testid=zone-line]');
  await page.fill('[data-testid=parameters]', 'capacity = 0.003 mAh/cm2');
  await page.click('[data-testid=autotune-heater]');
  await page.waitForSelector('[data-testid=reply][data-verb=autotune-heater].ok', { timeout: 20000 });
  await waitFor('the zone line to show the autotune', async () => /autotun/.test(await text(page, '[data-testid=zone-line]')) || await text(page, '[data-testid=zone-line]'), 15000);
  const zoneTuning = await text(page, '[data-testid=zone-line]');
  await page.click('[data-testid=cancel-autotune]');
  await page.waitForSelector('[data-testid=reply][data-verb=cancel-autotune].ok', { timeout: 20000 });
  await waitFor('the zone to regulate again', async () => /regulating/.test(await text(page, '[data-testid=zone-line]')) || await text(page, '[data-testid=zone-line]'), 15000);
  const kept = await page.inputValue('[data-testid=parameters]');
  if (kept !== 'capacity = 0.003 mAh/cm2') { throw new Error(`typed parameters lost by the heater panel's redraw: "${kept}"`); }
  step(`heater panel: "${zoneBefore}" -> autotune from the page "${zoneTuning}" -> cancelled "${await text(page, '[data-testid=zone-line]')}"; typed parameters kept`);

  // --- presets offered by the channel's cell: no full-cell preset on the half cell (ch1), and the other way on ch2 --
  const offered = async () => page.locator('[data-testid=preset] option').evaluateAll(options => options.map(o => o.value));
  const half = await offered();
  await page.click(card('ch2'));
  await waitFor('the ch2 actions', async () => (await text(page, '#operator h3')).includes('ch2') || await text(page, '#operator h3'), 5000);
  const full = await offered();
  if (half.includes('anode-free-full-cell') || !half.includes('plating-stripping-1mAh') || !full.includes('anode-free-full-cell') || full.includes('plating-stripping-1mAh')) {
    throw new Error(`presets not filtered by cell: ch1 (half cell) ${half.join(', ')}; ch2 (full cell) ${full.join(', ')}`);
  }
  step(`presets by cell: ch1 (half cell) ${half.join(', ')}; ch2 (full cell) ${full.join(', ')}`);

  // --- an impedance spectrum: a protocol with an Impedance step on ch2 (the simulated 1260 is wired to it) ------------
  const eis = await commandOverMqtt(observer.client, 'start', { channel: 'ch2', operator: 'e2e', protocol: JSON.stringify({
    name: 'EIS from the dashboard test', cell: 'AnodeFreeFullCell', safety: { voltage: '-1 V to 4.5 V', maxCurrent: '10 mA/cm2' },
    steps: ['Rest for 2 s', 'Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade'],
  }) });
  if (!eis.ok) { throw new Error(`the EIS protocol was refused: ${eis.message}`); }
  await waitFor('the EIS test on ch2 to finish', async () => (await text(page, card('ch2', 'run'))).startsWith('finished') || await text(page, card('ch2', 'run')), 60000);
  const spectrum = await retained(`anodefreerig/${rig}/ch2/spectrum`);
  await page.waitForSelector(`[data-testid=nyquist][data-points="${spectrum.points.f_Hz.length}"]`, { timeout: 15000 });
  const drawn = await page.locator('[data-testid=nyquist] [data-f]').evaluateAll(nodes => nodes.map(n => [Number(n.dataset.f), Number(n.dataset.re), Number(n.dataset.im)]));
  const sent = spectrum.points.f_Hz.map((f, i) => [f, spectrum.points.z_re_ohm[i], spectrum.points.z_im_ohm[i]]);
  if (JSON.stringify(drawn) !== JSON.stringify(sent)) { throw new Error(`the Nyquist plot's points differ from the spectrum's: ${JSON.stringify(drawn.slice(0, 3))} vs ${JSON.stringify(sent.slice(0, 3))}`); }
  await page.waitForSelector('[data-testid=bode] canvas', { timeout: 5000 });
  const parameters = spectrum.fit ? await page.locator('[data-testid=fit-parameters] dd').count() : 0;
  if (spectrum.fit && parameters !== Object.keys(spectrum.fit.parameters).length) { throw new Error(`${parameters} fit parameters shown, the spectrum has ${Object.keys(spectrum.fit.parameters).length}`); }
  step(`spectrum of ch2: the Nyquist plot holds the spectrum's ${drawn.length} points exactly, Bode drawn, ${parameters} fit parameters shown ("${await text(page, '[data-testid=spectrum-summary]')}")`);
  await page.locator('[data-testid=spectrum]').screenshot({ path: join(artifacts, 'dashboard-spectrum.png') });
  const spectrumLayout = await checkLayout(page);
  if (spectrumLayout.problems.length) { throw new Error(`layout with a spectrum:\n  ${spectrumLayout.problems.join('\n  ')}`); }

  // --- all-off: a running output, one click arms, the second turns every output and heater of the rig off ----------
  await page.click(card('ch1'));
  await waitFor('the ch1 actions', async () => (await text(page, '#operator h3')).includes('ch1') || await text(page, '#operator h3'), 5000);
  await page.selectOption('[data-testid=preset]', 'plating-stripping-1mAh');
  await page.fill('[data-testid=parameters]', 'rest = 1 s\ncurrent = 2 mA/cm2\ncapacity = 0.05 mAh/cm2\ncycles = 200');
  const startsBefore = await page.locator('[data-testid=reply][data-verb=start].ok').count();
  await page.click('[data-testid=start]');
  await waitFor('the second start to be answered', async () => (await page.locator('[data-testid=reply][data-verb=start].ok').count()) > startsBefore, 20000);
  await waitFor('ch1 to source current', async () => Math.abs(parseFloat(await text(page, card('ch1', 'current')))) > 0.1 || await text(page, card('ch1', 'current')), 30000);
  await page.click('[data-testid=all-off]');
  await page.waitForTimeout(500);
  if (observer.seen.some(m => m.topic.endsWith('/cmd/all-off'))) { throw new Error('one click on All off sent the command'); }
  await page.click('[data-testid=all-off]');
  await page.waitForSelector('[data-testid=reply][data-verb=all-off].ok', { timeout: 20000 });
  if (!observer.seen.some(m => m.topic === `anodefreerig/${rig}/cmd/all-off`)) { throw new Error('the observer never saw all-off'); }
  await waitFor('every card of the rig to be held by all-off', async () => {
    const held = await Promise.all(['ch1', 'ch2'].map(async c => (await page.locator(card(c, 'held')).count()) && await text(page, card(c, 'held'))));
    return held.every(h => h && h.includes('AllOff')) || held;
  }, 20000);
  await waitFor('ch1 at 0 mA', async () => Math.abs(parseFloat(await text(page, card('ch1', 'current')))) < 1e-3 || await text(page, card('ch1', 'current')), 20000);
  // The service says so too: its state of every channel, sampled after the all-off, has the output off and the interlock.
  const states = await statesSampledAfterAllOff(['ch1', 'ch2']);
  for (const [channel, state] of Object.entries(states)) {
    if (state.output_on !== false || !state.interlocks.some(i => i.kind === 'AllOff')) { throw new Error(`${channel} after all-off: output_on ${state.output_on}, interlocks ${JSON.stringify(state.interlocks)}`); }
  }
  step(`all-off from the page (two clicks): every output off (${Object.entries(states).map(([c, s]) => `${c} output_on ${s.output_on}, ${s.run_state}`).join('; ')}), cards held: "${await text(page, card('ch1', 'held'))}"`);
  await page.screenshot({ path: join(artifacts, 'dashboard-all-off.png'), fullPage: true });

  // --- a frozen rig: its process stopped (SIGSTOP: no last will, the broker still thinks it is connected) ----------
  if (rig2) {
    const frozen = `[data-testid="card-${rig2}-ch1-age"]`;
    await waitFor(`${rig2}'s card to be fresh`, async () => (await page.getAttribute(frozen, 'data-stale')) === 'false' || await text(page, frozen), 15000);
    process.kill(Number(env('RIG2_PID')), 'SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor(`${rig2}'s card to say stale`, async () => (await page.getAttribute(frozen, 'data-stale')) === 'true' || await text(page, frozen), 20000);
    step(`${rig2} stopped: its card says "${await text(page, frozen)}" ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s later (state period 1 s, sample period 0.25 s: stale 3 samples after the next state was due)`);
    await waitFor(`${rig2}'s lab row to say stale`, async () => (await page.getAttribute(`[data-testid=lab-row-${rig2}-ch1]`, 'data-stale')) === 'true' || 'fresh', 5000);
    step(`and its lab row: "${(await text(page, `[data-testid=lab-row-${rig2}-ch1]`)).replace(/\s+/g, ' ')}"`);
    await page.screenshot({ path: join(artifacts, 'dashboard-stale.png'), fullPage: true });
  }
  console.log('all dashboard checks passed');
} catch (error) {
  console.log(`not ok - ${error.message}`);
  if (page) { await page.screenshot({ path: join(artifacts, 'dashboard-failure.png'), fullPage: true }).catch(() => {}); }
  process.exitCode = 1;
} finally {
  await observer.close();
  await browser.close();
}
