import type { Arrival } from '../../harness/backends/provider.ts';
import type { ShareCheck } from '../../harness/checks/statistics.ts';
import type { Exchange } from '../../harness/clients/traffic.ts';
import {
  requestsOverTimeChart,
  requestsPerBackendChart,
  type ScenarioChart,
  timelineChart,
} from '../../harness/report/scenario-charts.ts';

/** Charts of what one scenario's checks saw, attached to its report on failure (or always; see hooks.ts). */
export class RecordedCharts {
  readonly #charts: ScenarioChart[] = [];

  /** Records `chart`, in place of an earlier one with the same file name. */
  record(chart: ScenarioChart | undefined): void {
    if (!chart) return;
    const earlier = this.#charts.findIndex((recorded) => recorded.fileName === chart.fileName);
    if (earlier >= 0) this.#charts.splice(earlier, 1);
    this.#charts.push(chart);
  }

  /** Each backend's count against its share and the interval it had to fall in. */
  shares(check: ShareCheck): void {
    this.record(
      requestsPerBackendChart(check.rows, `exact binomial, false-failure probability ${check.falseFailure}`),
    );
  }

  /** Each backend's count against the exact number it had to receive. */
  exactCounts(counts: ReadonlyMap<string, number>, expected: number): void {
    const rows = [...counts].map(([id, count]) => ({ id, count, expected, low: expected, high: expected }));
    this.record(requestsPerBackendChart(rows, `exactly ${expected}`));
  }

  /** When backend `id` received requests, against what the clients saw of the breaker. */
  breakerTimeline(id: string, arrivals: readonly Arrival[], exchanges: readonly Exchange[]): void {
    const sent = (keep: (exchange: Exchange) => boolean) =>
      exchanges.filter(keep).map((exchange) => exchange.sentAtMs);
    const breaker = (exchange: Exchange) => exchange.headers?.['x-circuit-breaker'];
    this.record(
      timelineChart('circuit-breaker.svg', `Circuit breaker: what reached ${id}, and what clients got`, [
        { name: `arrived at ${id}`, atMs: arrivals.map((arrival) => arrival.atMs) },
        { name: 'answered', atMs: sent((e) => e.status !== undefined && e.status < 500) },
        { name: 'failed', atMs: sent((e) => (e.status === undefined || e.status >= 500) && !breaker(e)) },
        { name: 'refused: open', atMs: sent((e) => breaker(e) === 'open') },
        { name: 'refused: overloaded', atMs: sent((e) => breaker(e) === 'overloaded') },
      ]),
    );
  }

  /** The charts to attach: those recorded, and the clients' requests over time. */
  toAttach(exchanges: readonly Exchange[]): ScenarioChart[] {
    const overTime = requestsOverTimeChart(exchanges);
    return overTime ? [...this.#charts, overTime] : [...this.#charts];
  }
}
