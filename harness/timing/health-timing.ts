import { healthCheckDefaults } from '../spec/config-document.ts';
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

/** A pool's health check as a config states it: what it leaves out takes the defaults. */
export interface StatedCheck {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly unhealthyThreshold?: number;
}

export function checkTiming(check: StatedCheck): CheckTiming {
  return {
    intervalMs: check.intervalMs ?? healthCheckDefaults.intervalMs,
    timeoutMs: check.timeoutMs ?? healthCheckDefaults.timeoutMs,
  };
}

/** How long a check like `check` takes at most to take a backend out once it starts failing. */
export function takenOutBound(check: StatedCheck): HealthBound {
  return failedChecksBound(
    checkTiming(check),
    check.unhealthyThreshold ?? healthCheckDefaults.unhealthyThreshold,
  );
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
