import { renderLineChart } from '../harness/report/svg-chart.ts';
import type { WrkResult } from './wrk.ts';

/** One timed run of one target. */
export interface RoundResult {
  readonly wrk: WrkResult;
  /** CPU seconds the balancer's processes spent during the run; undefined for "direct". */
  readonly cpuSeconds?: number | undefined;
}

/** A target's figures over the rounds of one scenario: medians, so one noisy round moves nothing. */
export interface TargetSummary {
  readonly target: string;
  readonly requestsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly latencyMs: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly cpuMsPer1000Requests?: number | undefined;
  readonly peakRssMegabytes?: number | undefined;
  readonly rounds: readonly number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('the median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarise(
  target: string,
  rounds: readonly RoundResult[],
  peakRssBytes?: number,
): TargetSummary {
  const perSecond = (round: RoundResult, amount: number) => amount / (round.wrk.durationUs / 1e6);
  const percentiles = Object.keys(rounds[0]?.wrk.latencyUs ?? {});
  const cpu = rounds.flatMap((round) =>
    round.cpuSeconds === undefined || round.wrk.requests === 0
      ? []
      : [(round.cpuSeconds * 1e3) / (round.wrk.requests / 1e3)],
  );
  return {
    target,
    requestsPerSecond: median(rounds.map((round) => perSecond(round, round.wrk.requests))),
    megabytesPerSecond: median(rounds.map((round) => perSecond(round, round.wrk.bytes) / 1e6)),
    latencyMs: Object.fromEntries(
      percentiles.map((p) => [p, median(rounds.map((round) => (round.wrk.latencyUs[p] ?? 0) / 1e3))]),
    ),
    errors: rounds.reduce(
      (sum, round) => sum + Object.values(round.wrk.errors).reduce((a, b) => a + b, 0),
      0,
    ),
    cpuMsPer1000Requests: cpu.length > 0 ? median(cpu) : undefined,
    peakRssMegabytes: peakRssBytes === undefined ? undefined : peakRssBytes / 1e6,
    rounds: rounds.map((round) => perSecond(round, round.wrk.requests)),
  };
}

/** target's req/s over base's, and base's p99 over target's... as "x of base": 0.7 means 70%. */
export function ratios(
  summaries: readonly TargetSummary[],
  target: string,
): { readonly against: string; readonly throughput: number; readonly p99: number }[] {
  const mine = summaries.find((summary) => summary.target === target);
  if (!mine) return [];
  return summaries
    .filter((summary) => summary.target !== target && summary.requestsPerSecond > 0)
    .map((base) => ({
      against: base.target,
      throughput: mine.requestsPerSecond / base.requestsPerSecond,
      p99: (mine.latencyMs['99'] ?? 0) / (base.latencyMs['99'] ?? 1),
    }));
}

const shownPercentiles = ['50', '99', '99.9'];

export function markdownTable(summaries: readonly TargetSummary[]): string {
  return targetTable(
    ['req/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU ms / 1000 req', 'peak RSS MB', 'errors'],
    'req/s per round',
    summaries.map((s) => [
      s.target,
      s.requestsPerSecond.toFixed(0),
      s.megabytesPerSecond.toFixed(1),
      ...shownPercentiles.map((p) => (s.latencyMs[p] ?? Number.NaN).toFixed(2)),
      s.cpuMsPer1000Requests?.toFixed(1) ?? '-',
      s.peakRssMegabytes?.toFixed(0) ?? '-',
      String(s.errors),
      s.rounds.map((r) => r.toFixed(0)).join(' / '),
    ]),
  );
}

/**
 * A Markdown table with a row per target: its name, then `figures` (right-aligned), then the
 * per-round values (`rounds`, left-aligned). Each row lists its cells in that order.
 */
export function targetTable(figures: readonly string[], rounds: string, rows: readonly string[][]): string {
  return [
    `| target | ${figures.join(' | ')} | ${rounds} |`,
    `|---|${figures.map(() => '---:|').join('')}---|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/**
 * Latency against percentile, one line per target. The x axis counts nines (p50 -> 0.3, p90 -> 1,
 * p99 -> 2, p99.9 -> 3), so the tail gets as much room as the median.
 */
export function latencyChart(scenario: string, summaries: readonly TargetSummary[]): string {
  const nines = (percentile: number) => -Math.log10(1 - percentile / 100);
  return renderLineChart({
    title: `Latency by percentile: ${scenario}`,
    xLabel: 'percentile (log scale of 1 - p)',
    yLabel: 'ms',
    xTicks: ['50', '90', '99', '99.9', '99.99'].map((p) => ({ value: nines(Number(p)), label: `p${p}` })),
    describeX: (x) => `p${Number((100 * (1 - 10 ** -x)).toPrecision(6))}`,
    series: summaries.map((summary) => ({
      name: summary.target,
      points: Object.entries(summary.latencyMs)
        .map(([p, ms]) => [nines(Number(p)), ms] as const)
        .sort((a, b) => a[0] - b[0]),
    })),
  });
}
