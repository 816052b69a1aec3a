// The selected channel's latest impedance spectrum: Nyquist (SVG, equal axes: uPlot scales x and y independently),
// Bode (uPlot, log frequency) and the fitted parameters. Redrawn only when a new spectrum arrives.
import uPlot from 'uplot';
import { HEIGHT_PX, width } from './charts.js';
import { element } from './format.js';
import {
  bodeColumns, decade, fitAt, logSpaced, nyquistFrame, parameterRows, spectrumEmptyState, spectrumPoints, spectrumSummary, ticks,
} from './spectra.js';

const NS = 'http://www.w3.org/2000/svg';
const VIEW = { width: 400, height: 300 };

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) { if (value !== undefined && value !== null) { node.setAttribute(name, String(value)); } }
  for (const child of children.flat(Infinity)) { if (child) { node.append(child instanceof Node ? child : document.createTextNode(String(child))); } }
  return node;
}

const label = value => String(Number(value.toPrecision(6)));

/** -Z'' against Z', one ohm per pixel the same across and up; measured points as circles (overloads as crosses), the fit as a dashed line. */
export function nyquistSvg(doc) {
  const points = spectrumPoints(doc);
  const lowest = Math.min(...points.map(p => p.f)), highest = Math.max(...points.map(p => p.f));
  const fit = fitAt(doc, logSpaced(lowest, highest));
  const frame = nyquistFrame([...points, ...fit], VIEW.width, VIEW.height);
  const { pad } = frame;
  const bottom = VIEW.height - pad.bottom, right = VIEW.width - pad.right;
  const xTicks = ticks(frame.x[0], frame.x[1], 6), yTicks = ticks(frame.y[0], frame.y[1], 4);
  return svg('svg', {
    viewBox: `0 0 ${VIEW.width} ${VIEW.height}`, class: 'nyquist', role: 'img', 'data-testid': 'nyquist', 'data-points': points.length,
    'aria-label': `Nyquist plot: ${points.length} points from ${label(lowest)} Hz to ${label(highest)} Hz${fit.length ? ', fitted circuit dashed' : ''}`,
  },
  svg('rect', { x: pad.left, y: pad.top, width: right - pad.left, height: bottom - pad.top, class: 'frame' }),
  xTicks.map(t => [svg('line', { x1: frame.px(t), x2: frame.px(t), y1: pad.top, y2: bottom, class: 'grid' }),
    svg('text', { x: frame.px(t), y: bottom + 14, 'text-anchor': 'middle' }, label(t))]),
  yTicks.map(t => [svg('line', { x1: pad.left, x2: right, y1: frame.py(t), y2: frame.py(t), class: 'grid' }),
    svg('text', { x: pad.left - 4, y: frame.py(t) + 4, 'text-anchor': 'end' }, label(t))]),
  svg('text', { x: (pad.left + right) / 2, y: VIEW.height - 6, 'text-anchor': 'middle' }, 'Z′ / Ω'),
  svg('text', { x: 12, y: (pad.top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(pad.top + bottom) / 2})` }, '−Z″ / Ω'),
  fit.length ? svg('polyline', { class: 'fit', points: fit.map(z => `${frame.px(z.re).toFixed(1)},${frame.py(-z.im).toFixed(1)}`).join(' ') }) : null,
  points.map(p => {
    const [x, y] = [frame.px(p.re), frame.py(-p.im)];
    const data = { 'data-f': p.f, 'data-re': p.re, 'data-im': p.im, class: p.ok ? 'point' : 'point overload' };
    const title = svg('title', {}, `${label(p.f)} Hz: Z′ ${label(p.re)} Ω, −Z″ ${label(-p.im)} Ω${p.ok ? '' : ' (overload)'}`);
    return p.ok ? svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 3, ...data }, title)
      : svg('path', { d: `M${x - 3},${y - 3}L${x + 3},${y + 3}M${x - 3},${y + 3}L${x + 3},${y - 3}`, ...data }, title);
  }));
}

export class SpectrumView {
  constructor(root) {
    this.root = root;
    this.drawn = null;
    this.bode = null;
  }

  /** Draws the document unless it is the one already drawn (same test, seq and end time). */
  show(doc) {
    const key = doc ? `${doc.test_id}|${doc.seq}|${doc.ended}` : '';
    if (key === this.drawn) { return; }
    this.drawn = key;
    this.destroy();
    const empty = spectrumEmptyState(doc);
    this.root.dataset.points = String(spectrumPoints(doc).length);
    if (empty) {
      this.root.replaceChildren(element('p', { class: 'plot-empty', 'data-testid': 'empty-spectrum', role: 'status' }, empty));
      return;
    }
    const bodeElement = element('div', { class: 'plot', 'data-testid': 'bode' });
    const rows = parameterRows(doc);
    this.root.replaceChildren(
      element('p', { class: 'note', 'data-testid': 'spectrum-summary' }, spectrumSummary(doc)),
      element('div', { class: 'spectrum-plots' },
        element('figure', {}, element('figcaption', {}, 'Nyquist (equal axes)'), nyquistSvg(doc)),
        element('figure', {}, element('figcaption', {}, 'Bode'), bodeElement)),
      rows.length ? element('dl', { class: 'fit-parameters', 'data-testid': 'fit-parameters' },
        rows.map(r => element('div', {}, element('dt', {}, r.name), element('dd', { 'data-parameter': r.key }, r.text)))) : null);
    this.bodeElement = bodeElement;
    this.bode = bodeChart(bodeElement, bodeColumns(doc));
  }

  resize() {
    if (this.bode && Math.abs(this.bode.width - width(this.bodeElement)) > 1) { this.bode.setSize({ width: width(this.bodeElement), height: HEIGHT_PX }); }
  }

  destroy() {
    this.bode?.destroy();
    this.bode = null;
  }
}

/** |Z| (log) and phase against log frequency; the fit dashed. */
function bodeChart(target, c) {
  return new uPlot({
    width: width(target), height: HEIGHT_PX,
    scales: { x: { time: false, distr: 3 }, mod: { distr: 3 }, phase: { auto: true } },
    series: [
      { label: 'f / Hz' },
      { label: '|Z| / Ω', scale: 'mod', stroke: '#2d6cdf', width: 0, points: { show: true, size: 5 } },
      { label: 'phase / °', scale: 'phase', stroke: '#d9480f', width: 0, points: { show: true, size: 5 } },
      { label: '|Z| fit', scale: 'mod', stroke: '#2d6cdf', dash: [5, 4], width: 1, points: { show: false } },
      { label: 'phase fit', scale: 'phase', stroke: '#d9480f', dash: [5, 4], width: 1, points: { show: false } },
    ],
    axes: [
      { label: 'f / Hz', values: (u, t) => t.map(decade) },
      { scale: 'mod', label: '|Z| / Ω', size: 60, values: (u, t) => t.map(v => (typeof v !== 'number' ? '' : v >= 1e4 ? v.toExponential(0) : String(Number(v.toPrecision(6))))) },
      { scale: 'phase', side: 1, label: 'phase / °', size: 50, grid: { show: false } },
    ],
  }, [c.f, c.modulus, c.phase, c.fitModulus, c.fitPhase], target);
}
