// Builds the static dashboard into dist/: index.html, app.css, and dashboard.js, one classic script bundled by esbuild
// from src/js and the two libraries it runs on (mqtt, uplot), all installed from the lockfile by `npm ci`. One classic
// script because some servers the page is opened from send no Content-Type (mosquitto's http_dir), and browsers
// refuse ES modules without a JavaScript MIME type. No CDN: dist/ holds everything the page loads.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'vendor'), { recursive: true });
cpSync(join(here, 'src', 'index.html'), join(dist, 'index.html'));
cpSync(join(here, 'src', 'app.css'), join(dist, 'app.css'));
cpSync(join(here, 'node_modules/uplot/dist/uPlot.min.css'), join(dist, 'vendor', 'uPlot.min.css'));
await build({
  entryPoints: [join(here, 'src', 'js', 'main.js')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: join(dist, 'dashboard.js'),
  logLevel: 'warning',
});
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const versions = Object.fromEntries(['mqtt', 'uplot', 'esbuild'].map(name => [name, lock.packages[`node_modules/${name}`].version]));
writeFileSync(join(dist, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
console.log(`dashboard built in ${dist} (${Object.entries(versions).map(([n, v]) => `${n} ${v}`).join(', ')})`);
