import { timeouts } from './timeouts.ts';

/** How long a change to a backend's health may take to show, and why. */
export interface HealthBound {
  readonly withinMs: number;
  readonly notSoonerMs?: number;
  readonly explanation: string;
}

/** A pool's health-check interval and timeout, defaults applied. */
export interface CheckTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * N failed checks end at most N x max(interval, timeout) + timeout after a change: the first probe
 * may start up to an interval after it, and each probe may take the whole timeout.
 */
export function failedChecksBound({ intervalMs, timeoutMs }: CheckTiming, checks: number): HealthBound {
  const slack = timeouts.timingSlackMs;
  return {
    withinMs: checks * Math.max(intervalMs, timeoutMs) + timeoutMs + slack,
    explanation: `${checks} failed checks at an interval of ${intervalMs} ms with a timeout of ${timeoutMs} ms, ${slack} ms slack`,
  };
}

/** N passed checks take at least N - 1 intervals and at most N x max(interval, timeout). */
export function passedChecksBound({ intervalMs, timeoutMs }: CheckTiming, checks: number): HealthBound {
  const slack = timeouts.timingSlackMs;
  return {
    withinMs: checks * Math.max(intervalMs, timeoutMs) + slack,
    notSoonerMs: (checks - 1) * intervalMs,
    explanation: `${checks} passed checks at an interval of ${intervalMs} ms, ${slack} ms slack`,
  };
}
