/**
 * The charts a scenario attaches to its report: pure functions from what the scenario saw (plain
 * data) to a chart description, rendered by svg-chart.ts.
 */
import {
  type BarChart,
  formatNumber,
  type LineChart,
  renderBarChart,
  renderLineChart,
  type Series,
} from './svg-chart.ts';

/** A chart ready to attach: a file name and its SVG, drawn only when it is attached. */
export interface ScenarioChart {
  readonly fileName: string;
  readonly render: () => string;
}

export function lineChart(fileName: string, chart: LineChart): ScenarioChart {
  return { fileName, render: () => renderLineChart(chart) };
}

export function barChart(fileName: string, chart: BarChart): ScenarioChart {
  return { fileName, render: () => renderBarChart(chart) };
}

/** One backend's count against what a correct balancer gives. */
export interface CountRow {
  readonly id: string;
  readonly count: number;
  readonly expected: number;
  readonly low: number;
  readonly high: number;
}

/** Requests per backend as bars, with the expected count and the range each had to fall in. */
export function requestsPerBackendChart(rows: readonly CountRow[], bound: string): ScenarioChart {
  return barChart('requests-per-backend.svg', {
    title: `Requests per backend (allowed range: ${bound})`,
    xLabel: 'backend',
    yLabel: 'requests',
    bars: rows.map((row) => ({
      label: row.id,
      value: row.count,
      expected: row.expected,
      low: row.low,
      high: row.high,
    })),
  });
}

/** What a client saw of one request: when it went out, and who answered how. */
export interface TimedOutcome {
  readonly sentAtMs: number;
  readonly backendId?: string;
  readonly status?: number;
  readonly error?: string;
}

const failedSeries = 'failed (5xx or no answer)';

/**
 * Whether an outcome is a failure as the over-time chart counts it: an error, a 5xx, or no answer.
 * A TCP exchange has no status: the backend that greeted it answered it.
 */
function failed(outcome: TimedOutcome): boolean {
  if (outcome.error !== undefined) return true;
  return outcome.status === undefined ? outcome.backendId === undefined : outcome.status >= 500;
}

/** A time bucket giving about 30 of them over `spanMs`, never under 10 ms. */
export function bucketFor(spanMs: number): number {
  const raw = Math.max(spanMs / 30, 10);
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((multiple) => multiple * power >= raw) ?? 10) * power;
}

/**
 * Requests per backend per time bucket, from the clients' side, with failures as their own series:
 * failover, slow start and membership changes show as one line giving way to another.
 */
export function requestsOverTimeChart(outcomes: readonly TimedOutcome[]): ScenarioChart | undefined {
  if (outcomes.length === 0) return undefined;
  const startMs = Math.min(...outcomes.map((outcome) => outcome.sentAtMs));
  const endMs = Math.max(...outcomes.map((outcome) => outcome.sentAtMs));
  const bucketMs = bucketFor(endMs - startMs);
  const buckets = Math.floor((endMs - startMs) / bucketMs) + 1;
  const counts = new Map<string, number[]>();
  for (const outcome of outcomes) {
    const name = failed(outcome) ? failedSeries : (outcome.backendId ?? `HTTP ${outcome.status}`);
    const row = counts.get(name) ?? new Array<number>(buckets).fill(0);
    const bucket = Math.floor((outcome.sentAtMs - startMs) / bucketMs);
    row[bucket] = (row[bucket] ?? 0) + 1;
    counts.set(name, row);
  }
  const names = [...counts.keys()].sort((a, b) =>
    a === failedSeries ? 1 : b === failedSeries ? -1 : a.localeCompare(b),
  );
  const series: Series[] = names.map((name) => ({
    name,
    style: 'step',
    points: (counts.get(name) as number[]).map(
      (count, bucket) => [(bucket * bucketMs) / 1000, count] as const,
    ),
  }));
  return lineChart('requests-over-time.svg', {
    title: `Requests per backend over time (per ${formatNumber(bucketMs)} ms, by send time)`,
    xLabel: 'seconds since the first request',
    yLabel: 'requests',
    series,
    describeX: (x) => `${formatNumber(x)} s`,
  });
}

/** What a rate-limited client saw: when each request went out and whether it passed. */
export interface LimitedOutcome {
  readonly sentAtMs: number;
  readonly passed: boolean;
}

/**
 * Accepted and refused requests, counted up over time, against the most a token bucket allows by
 * each moment: its capacity plus what refilled since the first request.
 */
export function rateLimitChart(
  client: string,
  outcomes: readonly LimitedOutcome[],
  capacity: number,
  refillPerSecond: number,
): ScenarioChart | undefined {
  if (outcomes.length === 0) return undefined;
  const startMs = outcomes[0]?.sentAtMs ?? 0;
  const seconds = (outcome: LimitedOutcome) => (outcome.sentAtMs - startMs) / 1000;
  const cumulative = (passed: boolean) => {
    let total = 0;
    return outcomes.map((outcome) => {
      if (outcome.passed === passed) total += 1;
      return [seconds(outcome), total] as const;
    });
  };
  // The bucket holds `capacity` at first and gains refillPerSecond tokens a second after that.
  const lastSecond = seconds(outcomes.at(-1) as LimitedOutcome);
  const bound = [
    [0, capacity],
    [lastSecond, capacity + lastSecond * refillPerSecond],
  ] as const;
  return lineChart(`rate-limit-${client}.svg`, {
    title: `Rate limit for ${client}: capacity ${capacity}, refill ${formatNumber(refillPerSecond)}/s`,
    xLabel: 'seconds since the first request',
    yLabel: 'requests',
    series: [
      { name: 'accepted (total)', style: 'step', points: cumulative(true) },
      { name: 'refused (total)', style: 'step', points: cumulative(false) },
      { name: 'most a bucket allows', style: 'dashed', points: bound },
    ],
    describeX: (x) => `${formatNumber(x)} s`,
  });
}

/** A named row of events on a timeline, in wall-clock ms. */
export interface Lane {
  readonly name: string;
  readonly atMs: readonly number[];
}

/**
 * Events on a time axis, one lane each: a breaker's refusals, trials and answers, or a backend's
 * arrivals, so the reader sees when the state changed and what got through.
 */
export function timelineChart(
  fileName: string,
  title: string,
  lanes: readonly Lane[],
): ScenarioChart | undefined {
  const shown = lanes.filter((lane) => lane.atMs.length > 0).map(thinned);
  if (shown.length === 0) return undefined;
  const startMs = Math.min(...shown.flatMap((lane) => lane.atMs));
  const spanSeconds = (Math.max(...shown.flatMap((lane) => lane.atMs)) - startMs) / 1000;
  return lineChart(fileName, {
    xDomain: [-spanSeconds / 50, spanSeconds * 1.02],
    title,
    xLabel: 'seconds since the first event',
    yLabel: '',
    yTicks: shown.map((lane, index) => ({ value: shown.length - index, label: lane.name })),
    series: shown.map((lane, index) => ({
      name: lane.name,
      style: 'points',
      points: lane.atMs.map((atMs) => [(atMs - startMs) / 1000, shown.length - index] as const),
    })),
    describeX: (x) => `${formatNumber(x)} s`,
  });
}

/** Most events one lane draws; a busier lane shows every k-th and says so in its name. */
export const laneLimit = 1500;

function thinned(lane: Lane): Lane {
  if (lane.atMs.length <= laneLimit) return lane;
  const every = Math.ceil(lane.atMs.length / laneLimit);
  return {
    name: `${lane.name} (1 in ${every} of ${lane.atMs.length})`,
    atMs: lane.atMs.filter((_, index) => index % every === 0),
  };
}

/** The waits before each retry (retry k's waits at index k - 1) against each retry's cap. */
export function backoffChart(
  waitsByRetry: readonly (readonly number[])[],
  caps: readonly number[],
): ScenarioChart | undefined {
  if (waitsByRetry.every((waits) => waits.length === 0)) return undefined;
  return lineChart('retry-backoff.svg', {
    title: 'Waits before each retry against full-jitter bounds',
    xLabel: 'retry',
    yLabel: 'ms',
    xTicks: caps.map((_, index) => ({ value: index + 1, label: `retry ${index + 1}` })),
    xDomain: [0.5, caps.length + 0.5],
    series: [
      {
        name: 'wait (one request)',
        style: 'points',
        points: waitsByRetry.flatMap((waits, index) => waits.map((wait) => [index + 1, wait] as const)),
      },
      {
        name: 'cap: longest allowed',
        style: 'dashed',
        points: caps.map((cap, index) => [index + 1, cap] as const),
      },
      {
        name: 'half the cap',
        style: 'dashed',
        points: caps.map((cap, index) => [index + 1, cap / 2] as const),
      },
    ],
    describeX: (x) => `retry ${x}`,
  });
}
