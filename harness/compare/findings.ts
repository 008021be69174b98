/**
 * What a workload's cells show, in numbers and in words generated from them: every sentence names
 * the measured values it rests on, none is written by hand.
 */
import { formatNumber } from '../report/svg-chart.ts';
import type { CellResult } from './drive.ts';
import { percentile } from './measures.ts';

/** One algorithm's figures in one workload. */
export interface CellSummary {
  readonly algorithm: string;
  readonly label: string;
  /** Its name under a chart's bar. */
  readonly short: string;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly errors: number;
  /** The most requests in flight on one backend at once. */
  readonly mostInFlight: number;
  /** The busiest backend's requests over the least busy one's (of those the workload ends with). */
  readonly imbalance: number;
  readonly keysMoved?: { readonly joined: number; readonly left: number };
  readonly recoveredPeak?: number;
}

export function summarise(
  cell: CellResult,
  { label, short }: { readonly label: string; readonly short: string },
  backendsAtEnd: readonly string[],
): CellSummary {
  const counts = backendsAtEnd.map((id) => cell.counts[id] ?? 0);
  const least = Math.min(...counts);
  return {
    algorithm: cell.algorithm,
    label,
    short,
    requests: cell.latenciesMs.length,
    p50: percentile(cell.latenciesMs, 0.5),
    p99: percentile(cell.latenciesMs, 0.99),
    p999: percentile(cell.latenciesMs, 0.999),
    errors: cell.errors,
    mostInFlight: Math.max(0, ...Object.values(cell.peaks)),
    imbalance: least === 0 ? Number.POSITIVE_INFINITY : Math.max(...counts) / least,
    ...(cell.keysMoved ? { keysMoved: cell.keysMoved } : {}),
    ...(cell.recovered ? { recoveredPeak: cell.recovered.peak } : {}),
  };
}

const ms = (value: number) => `${formatNumber(value)} ms`;
const share = (value: number) => `${(100 * value).toFixed(0)}%`;
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'some backend got none');

/** The summaries with the lowest and the highest of `measure`, and whether all are equal. */
function extremes(
  summaries: readonly CellSummary[],
  measure: (summary: CellSummary) => number,
): { best: CellSummary[]; worst: CellSummary[]; bestValue: number; worstValue: number } {
  const values = summaries.map(measure);
  const bestValue = Math.min(...values);
  const worstValue = Math.max(...values);
  return {
    best: summaries.filter((summary) => measure(summary) === bestValue),
    worst: summaries.filter((summary) => measure(summary) === worstValue),
    bestValue,
    worstValue,
  };
}

function names(summaries: readonly CellSummary[]): string {
  const labels = summaries.map((summary) => summary.label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** Sentences on what the workload's figures show: who won on what, and by how much. */
export function findings(
  summaries: readonly CellSummary[],
  context: { readonly backends: number; readonly burst?: number },
): string[] {
  if (summaries.length === 0) return ['No algorithm ran in this workload.'];
  const lines: string[] = [];
  const p99 = extremes(summaries, (summary) => summary.p99);
  lines.push(
    p99.bestValue === p99.worstValue
      ? `Every algorithm had the same p99, ${ms(p99.bestValue)}.`
      : `Lowest p99: ${names(p99.best)} at ${ms(p99.bestValue)}; highest: ${names(p99.worst)} at ${ms(p99.worstValue)}, ${(p99.worstValue / p99.bestValue).toFixed(1)}x as long.`,
  );
  const p50 = extremes(summaries, (summary) => summary.p50);
  if (p50.bestValue !== p50.worstValue)
    lines.push(
      `Median latency ranged from ${ms(p50.bestValue)} (${names(p50.best)}) to ${ms(p50.worstValue)} (${names(p50.worst)}).`,
    );
  const inFlight = extremes(summaries, (summary) => summary.mostInFlight);
  lines.push(
    inFlight.bestValue === inFlight.worstValue
      ? `Every algorithm had at most ${inFlight.bestValue} requests in flight on one backend.`
      : `Most requests in flight on one backend: ${inFlight.bestValue} with ${names(inFlight.best)}, ${inFlight.worstValue} with ${names(inFlight.worst)}.`,
  );
  const balance = extremes(summaries, (summary) => summary.imbalance);
  lines.push(
    `Busiest backend over least busy: ${times(balance.bestValue)} with ${names(balance.best)}, ${times(balance.worstValue)} with ${names(balance.worst)}.`,
  );
  const failing = summaries.filter((summary) => summary.errors > 0);
  lines.push(
    failing.length === 0
      ? 'No request failed.'
      : `Failed requests: ${failing.map((summary) => `${summary.label} ${summary.errors} of ${summary.requests}`).join(', ')}.`,
  );
  const moving = summaries.filter((summary) => summary.keysMoved !== undefined);
  if (moving.length > 0) {
    const joined = extremes(moving, (summary) => summary.keysMoved?.joined ?? 0);
    const left = extremes(moving, (summary) => summary.keysMoved?.left ?? 0);
    const least = 1 / (context.backends + 1);
    lines.push(
      `Keys moved when a backend joined: fewest with ${names(joined.best)} (${share(joined.bestValue)}; under an even spread a newcomer takes ${share(least)} of the keys), most with ${names(joined.worst)} (${share(joined.worstValue)}).`,
      `Keys moved when a backend left: fewest with ${names(left.best)} (${share(left.bestValue)}; under an even spread the leaver held ${share(least)}), most with ${names(left.worst)} (${share(left.worstValue)}).`,
    );
  }
  const recovering = summaries.filter((summary) => summary.recoveredPeak !== undefined);
  if (recovering.length > 0 && context.burst !== undefined) {
    const herd = extremes(recovering, (summary) => summary.recoveredPeak ?? 0);
    const fair = context.burst / context.backends;
    lines.push(
      `The backend that came back had at most ${herd.bestValue} of the burst of ${context.burst} in flight with ${names(herd.best)} and ${herd.worstValue} with ${names(herd.worst)}; an even share is ${formatNumber(fair)}.`,
    );
  }
  return lines;
}
