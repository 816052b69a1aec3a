// A dry run's prediction (docs/engine.md#dry-run) in an operator's words, shown beside Start before a cell is touched:
// how long, how much capacity per cycle, cycles to 80/70 %, the first safety limit it would hit, warnings. Pure
// functions (test/prediction.test.mjs); the panel is drawn by operator.js.
import { duration, significant } from './format.js';

const percent = (part, whole) => `${Math.round((100 * part) / whole)} %`;

/** Everything the panel says, from the dry-run reply's data. */
export function predictionView(p) {
  if (!p) { return null; }
  const total = typeof p.duration_s === 'number' ? p.duration_s : null;
  const kinds = Object.entries(p.duration_by_step_kind_s ?? {}).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  const capacities = p.discharge_capacity_mAh_cm2 ?? [];
  const ending = p.completed
    ? `would end ${String(p.final_state ?? '').toLowerCase()}${p.end_reason ? `: ${p.end_reason}` : ''}`
    : `dry run stopped early (${p.stopped_because ?? 'unknown reason'}): what it had`;
  return {
    durationSeconds: total,
    duration: total === null ? '–' : duration(total),
    ending,
    byKind: kinds.length && total ? kinds.map(([kind, s]) => `${kind} ${duration(s)} (${percent(s, total)})`).join(', ') : null,
    cycles: p.cycles ?? 0,
    capacity: capacities.length
      ? `discharge ${significant(capacities[0])} mAh/cm² in the first cycle, ${significant(capacities[capacities.length - 1])} in the last (${p.cycles} cycles)`
      : 'no cycle closes',
    capacities,
    retention: `cycles to 80 %: ${p.cycles_to_80_percent ?? 'not reached'}; to 70 %: ${p.cycles_to_70_percent ?? 'not reached'}`,
    efficiency: [p.ice != null ? `ICE ${(p.ice * 100).toFixed(1)} %` : null, p.average_ce != null ? `average CE ${(p.average_ce * 100).toFixed(3)} %` : null,
      p.ccd_mA_cm2 != null ? `CCD ${p.ccd_mA_cm2} mA/cm²` : null].filter(Boolean).join(', ') || null,
    firstLimit: p.first_limit ? `${p.first_limit.what} after ${duration(p.first_limit.at_s)}, in cycle ${p.first_limit.cycle}` : 'none hit',
    limitHit: !!p.first_limit,
    warnings: p.warnings ?? [],
    conditions: `twin at ${p.temperature_degC} °C, ${p.stack_pressure_MPa} MPa; ${significant(p.wall_s ?? 0)} s to compute`,
  };
}

/** The start form's inputs a prediction was made for: a changed preset or parameter makes it out of date. */
export const inputsKey = (preset, parametersText) => `${preset}\n${parametersText.trim()}`;

/** A polyline of discharge capacity against cycle in a width × height box (null with fewer than two cycles). */
export function sparkline(values, width, height) {
  const finite = values.filter(v => typeof v === 'number' && Number.isFinite(v));
  if (finite.length < 2) { return null; }
  const low = Math.min(...finite), high = Math.max(...finite);
  const span = high - low || 1;
  return values.map((v, i) => `${((i / (values.length - 1)) * width).toFixed(1)},${(height - ((v - low) / span) * height).toFixed(1)}`).join(' ');
}
