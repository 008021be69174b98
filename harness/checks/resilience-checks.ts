import type { Arrival } from '../backends/provider.ts';
import { ExpectationError } from './expectations.ts';
import { binomialInterval, defaultFalseFailure } from './statistics.ts';

/** Timers may fire this much early by rounding; lower bounds forgive it. */
const timerRoundingMs = 5;

/** Arrival times split into runs wherever two arrivals are more than `pauseMs` apart. */
export function splitIntoRuns(
  arrivals: readonly Arrival[],
  pauseMs: number,
): { runs: number[][]; gaps: number[] } {
  const runs: number[][] = [];
  const gaps: number[] = [];
  for (const [i, arrival] of arrivals.entries()) {
    const previous = arrivals[i - 1];
    if (previous === undefined || arrival.atMs - previous.atMs > pauseMs) {
      if (previous !== undefined) gaps.push(arrival.atMs - previous.atMs);
      runs.push([]);
    }
    runs.at(-1)?.push(arrival.atMs);
  }
  return { runs, gaps };
}

function describeRuns({ runs, gaps }: { runs: number[][]; gaps: number[] }): string {
  return `runs of ${runs.map((run) => run.length).join(', ')} separated by ${gaps.map((gap) => `${gap.toFixed(0)} ms`).join(', ') || 'nothing'}`;
}

/**
 * A backend's arrivals came in runs of `runLengths` (in order) separated by pauses of at least each
 * of `pausesMs` in turn and at most that plus `slackMs`. A pause is a gap as long as the shortest
 * one expected (less the timer rounding): within a run requests follow each other within
 * milliseconds, but a busy machine can stall one for a good part of a 300 ms pause, and a gap
 * shorter than every expected pause can never be a correct one anyway.
 */
export function expectRuns(
  arrivals: readonly Arrival[],
  runLengths: readonly number[],
  pausesMs: readonly number[],
  slackMs: number,
): void {
  const split = splitIntoRuns(arrivals, Math.min(...pausesMs) - timerRoundingMs - 1);
  const { runs, gaps } = split;
  const wrong =
    runs.length < runLengths.length ||
    runLengths.some((length, i) => runs[i]?.length !== length) ||
    pausesMs.some((ms, i) => {
      const gap = gaps[i] ?? 0;
      return gap < ms - timerRoundingMs || gap > ms + slackMs;
    });
  if (wrong) {
    throw new ExpectationError(
      `expected runs of ${runLengths.join(', ')} separated by ${pausesMs.map((ms) => `${ms} ms (+ up to ${slackMs.toFixed(0)})`).join(', ')}; the backend saw ${describeRuns(split)}`,
    );
  }
}

/**
 * After its first run, a backend received runs of exactly `trials` requests, at least `pauseMs`
 * apart, and at least two of them (so the check saw the breaker half-open more than once).
 */
export function expectTrialsOnly(arrivals: readonly Arrival[], trials: number, pauseMs: number): void {
  const split = splitIntoRuns(arrivals, pauseMs / 2);
  const later = split.runs.slice(1);
  const wrong =
    later.length < 2 ||
    later.some((run) => run.length !== trials) ||
    split.gaps.some((gap) => gap < pauseMs - timerRoundingMs);
  if (wrong) {
    throw new ExpectationError(
      `expected, after the first run, only runs of ${trials} trial request(s) at least ${pauseMs} ms apart, at least two of them; the backend saw ${describeRuns(split)}`,
    );
  }
}

/** A retry policy as far as its timing goes. */
export interface BackoffPolicy {
  readonly attempts: number;
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
}

/**
 * The waits between the attempts at each request (grouped by x-request-id, in arrival order) follow
 * full-jitter exponential backoff: the wait before retry k is uniform in [0, cap_k] with
 * cap_k = min(max, base x 2^(k-1)), plus the time the failed attempt took.
 *
 * Per retry k, over n requests:
 * - every wait is at most cap_k + slackMs;
 * - jitter: a correct balancer waits at most 3/4 cap_k (+ an attempt's own time, assumed below
 *   cap_k / 4) with probability 3/4; the count doing so must reach the lower bound of Binomial(n, 1/2);
 * - growth: it waits more than cap_k / 2 with probability at least 1/2 (its own time only adds);
 *   the count must reach the same bound. A balancer without backoff, or whose cap does not double,
 *   waits less than cap_k / 2 nearly always.
 * Each bound fails a correct balancer with probability at most falseFailure / (2 x attempts).
 */
/** Arrival times by x-request-id, in arrival order; arrivals without one are left out. */
export function arrivalsByRequest(arrivals: readonly Arrival[]): Map<string, number[]> {
  const byRequest = new Map<string, number[]>();
  for (const arrival of arrivals) {
    if (arrival.requestId === null) continue;
    const times = byRequest.get(arrival.requestId) ?? [];
    times.push(arrival.atMs);
    byRequest.set(arrival.requestId, times);
  }
  return byRequest;
}

/** The wait before retry k of each request that got that far: its arrival minus the one before. */
export function waitsBefore(retry: number, byRequest: ReadonlyMap<string, readonly number[]>): number[] {
  return [...byRequest.values()]
    .filter((times) => times.length > retry)
    .map((times) => (times[retry] as number) - (times[retry - 1] as number));
}

/** The longest wait full-jitter backoff allows before retry k: min(max, base x 2^(k-1)). */
export function backoffCap(retry: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxIntervalMs, policy.baseIntervalMs * 2 ** (retry - 1));
}

export function expectFullJitterBackoff(
  arrivals: readonly Arrival[],
  policy: BackoffPolicy,
  slackMs: number,
  falseFailure: number = defaultFalseFailure,
): void {
  const byRequest = arrivalsByRequest(arrivals);
  const incomplete = [...byRequest].filter(([, times]) => times.length !== policy.attempts + 1);
  if (byRequest.size === 0 || incomplete.length > 0) {
    throw new ExpectationError(
      `expected each of ${byRequest.size} requests to arrive ${policy.attempts + 1} times (first attempt and ${policy.attempts} retries); ${incomplete.length} did not: ${incomplete
        .slice(0, 5)
        .map(([id, times]) => `${id} arrived ${times.length} times`)
        .join(', ')}`,
    );
  }
  const n = byRequest.size;
  const { low } = binomialInterval(n, 0.5, falseFailure / (2 * policy.attempts));
  const problems: string[] = [];
  const rows: string[] = [];
  for (let retry = 1; retry <= policy.attempts; retry++) {
    const cap = backoffCap(retry, policy);
    const waits = waitsBefore(retry, byRequest);
    const longest = Math.max(...waits);
    const withinThreeQuarters = waits.filter((wait) => wait <= 0.75 * cap).length;
    const beyondHalf = waits.filter((wait) => wait > 0.5 * cap).length;
    rows.push(
      `  retry ${retry}: cap ${cap} ms, waits ${Math.min(...waits).toFixed(0)}..${longest.toFixed(0)} ms, ${withinThreeQuarters}/${n} at most 3/4 cap, ${beyondHalf}/${n} beyond 1/2 cap`,
    );
    if (longest > cap + slackMs)
      problems.push(`retry ${retry} waited ${longest.toFixed(0)} ms, over ${cap} + ${slackMs.toFixed(0)} ms`);
    if (withinThreeQuarters < low)
      problems.push(`retry ${retry}: only ${withinThreeQuarters} waits within 3/4 of the cap (no jitter?)`);
    if (beyondHalf < low)
      problems.push(
        `retry ${retry}: only ${beyondHalf} waits beyond half the cap (no backoff, or it does not grow?)`,
      );
  }
  if (problems.length > 0) {
    throw new ExpectationError(
      `expected full-jitter exponential backoff (each count at least ${low} of ${n}, false-failure probability ${falseFailure}):\n${problems.map((p) => `  ${p}`).join('\n')}\n${rows.join('\n')}`,
    );
  }
}

/**
 * Retries beyond the requests sent stayed within a budget of percent% of them plus minRetries per
 * started 10-second window of the run, and there were some (the policy does retry).
 */
export function expectRetriesWithinBudget(
  sent: number,
  received: number,
  budget: { readonly percent: number; readonly minRetries: number },
  durationMs: number,
): void {
  const windows = Math.max(1, Math.ceil(durationMs / 10_000));
  const allowed = Math.floor((sent * budget.percent) / 100) + budget.minRetries * windows;
  const retries = received - sent;
  if (retries <= 0 || retries > allowed) {
    throw new ExpectationError(
      `expected between 1 and ${allowed} retries (${budget.percent}% of ${sent} requests + ${budget.minRetries} x ${windows} ten-second windows), the backends received ${received} requests: ${retries} retries`,
    );
  }
}
