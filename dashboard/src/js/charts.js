// The channel plots, on uPlot (a small, fast time-series chart library): live V and I, stack pressure and temperature
// with their windows as bands, capacity and CE per cycle (the paper's Fig. 7e view) and voltage against areal
// capacity for chosen cycles (Fig. 7d).
import uPlot from 'uplot';
import { dateTime, MIN_SPAN, paddedRange, pageLocale } from './format.js';

const HEIGHT = 230;
const PALETTE = ['#2d6cdf', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c', '#495057'];
const band = 'rgba(45, 108, 223, 0.12)';

/** The plot's own width: its container is sized by the page's grid (a phone column, a wall display's third). */
export const width = element => Math.max(200, element.clientWidth || 320);
export const HEIGHT_PX = HEIGHT;

/** Tick labels with as many decimals as the tick spacing needs (a 0.5 mV window must not read "0.67, 0.67, 0.67"). */
const precise = (u, ticks) => {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)))) : 0;
  return ticks.map(v => v.toFixed(decimals));
};
/** Cycle numbers are whole: ticks only on integers. */
const wholeCycles = { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], values: (u, ticks) => ticks.map(v => String(Math.round(v))) };
/** A scale that never spans less than the quantity's resolution allows (format.js, MIN_SPAN). */
const atLeast = minSpan => ({ auto: true, range: (u, min, max) => paddedRange(min, max, minSpan) });

/** Time ticks in the page's locale (24 h where the locale says so), the date added when the plot spans days. */
const localeTicks = (u, ticks) => {
  const span = ticks.length > 1 ? ticks[ticks.length - 1] - ticks[0] : 0;
  const format = new Intl.DateTimeFormat(pageLocale(), span > 86400 ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : span > 600 ? { hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return ticks.map(t => format.format(new Date(t * 1000)));
};
const timeAxis = { values: localeTicks, space: 95 };
const timeSeries = { label: 'time', value: (u, v) => (v === null || v === undefined ? '–' : dateTime(v)) };

const limit = stroke => ({ stroke, width: 1, dash: [4, 4], points: { show: false } });

export function voltageCurrentChart(element) {
  return new uPlot({
    width: width(element), height: HEIGHT,
    scales: { x: { time: true }, V: atLeast(MIN_SPAN.V), mA: atLeast(MIN_SPAN.mA) },
    series: [timeSeries, { label: 'Voltage / V', scale: 'V', stroke: PALETTE[0], width: 1.5 }, { label: 'Current / mA', scale: 'mA', stroke: PALETTE[1], width: 1 }],
    axes: [timeAxis, { scale: 'V', label: 'V', values: precise, size: 60 }, { scale: 'mA', side: 1, label: 'mA', values: precise, size: 60, grid: { show: false } }],
  }, [[], [], []], element);
}

/** A trace with its allowed window drawn as a band between two dashed limit lines. */
export function windowChart(element, label, unit, stroke, minSpan) {
  return new uPlot({
    width: width(element), height: HEIGHT,
    scales: { x: { time: true }, y: atLeast(minSpan) },
    series: [timeSeries, { label: `${label} / ${unit}`, stroke, width: 1.5 }, { label: 'lower limit', ...limit('#868e96') }, { label: 'upper limit', ...limit('#868e96') }],
    bands: [{ series: [3, 2], fill: band }],
    axes: [timeAxis, { label: unit, values: precise, size: 60 }],
  }, [[], [], [], []], element);
}

export function windowData(times, values, lower, upper) {
  return [times, values, times.map(() => lower ?? null), times.map(() => upper ?? null)];
}

export function cycleChart(element) {
  return new uPlot({
    width: width(element), height: HEIGHT,
    scales: { x: { time: false }, cap: atLeast(MIN_SPAN.capacity), ce: atLeast(MIN_SPAN.CE) },
    series: [
      { label: 'cycle' },
      { label: 'charge / mAh cm⁻²', scale: 'cap', stroke: PALETTE[0], points: { show: true, size: 4 } },
      { label: 'discharge / mAh cm⁻²', scale: 'cap', stroke: PALETTE[1], points: { show: true, size: 4 } },
      { label: 'CE / %', scale: 'ce', stroke: PALETTE[2], points: { show: true, size: 4 } },
    ],
    axes: [{ label: 'cycle', ...wholeCycles }, { scale: 'cap', label: 'mAh cm⁻²', values: precise, size: 60 }, { scale: 'ce', side: 1, label: 'CE %', values: precise, size: 60, grid: { show: false } }],
  }, [[], [], [], []], element);
}

export function cycleData(history) {
  const c = history?.cycles;
  if (!c) { return [[], [], [], []]; }
  return [c.cycle, c.charge_areal_capacity_mAh_cm2, c.discharge_areal_capacity_mAh_cm2, c.coulombic_efficiency_1.map(e => e === null ? null : e * 100)];
}

/** Voltage against areal capacity, one colour per cycle, solid for the charge half and dashed for the discharge half. */
export function voltageCapacityChart(element, curves, areaCm2) {
  const tables = [];
  const series = [{ label: 'mAh cm⁻²' }];
  curves.forEach((curve, i) => {
    const stroke = PALETTE[i % PALETTE.length];
    for (const [half, dash] of [['charge', undefined], ['discharge', [6, 3]]]) {
      const points = curve[half];
      if (!points?.capacity_mAh.length) { continue; }
      tables.push([points.capacity_mAh.map(q => q / areaCm2), points.voltage_V]);
      series.push({ label: `cycle ${curve.cycle} ${half}`, stroke, dash, width: 1.5, spanGaps: true, points: { show: false } });
    }
  });
  const data = tables.length ? uPlot.join(tables) : [[]];
  return new uPlot({
    width: width(element), height: HEIGHT,
    scales: { x: { time: false } },
    series,
    axes: [{ label: 'mAh cm⁻²', values: precise }, { label: 'V', values: precise, size: 60 }],
  }, data, element);
}
