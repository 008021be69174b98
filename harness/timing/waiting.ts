import { setTimeout as pollDelay } from 'node:timers/promises';
import { timeouts } from './timeouts.ts';

/** Thrown when a condition was not met in time. code: LBSPEC_TIMEOUT. */
export class DeadlineError extends Error {
  readonly code = 'LBSPEC_TIMEOUT';
}

export interface PollOptions {
  /** What is awaited, for the error: `backend "b2" to listen on 127.0.0.1:41873`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Ends the wait at once with this reason when it returns one (e.g. the process exited). */
  readonly giveUpIf?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws when the deadline passes,
 * naming what was awaited, the budget, and the last failure the probe reported.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { what, timeoutMs, pollMs = timeouts.pollMs, giveUpIf }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    const hopeless = giveUpIf?.();
    if (hopeless !== undefined)
      throw new Error(`gave up waiting for ${what}: ${hopeless} (last: ${lastProblem})`);
    if (Date.now() >= deadline) {
      throw new DeadlineError(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${lastProblem})`);
    }
    await pollDelay(pollMs);
  }
}

/**
 * Waits until `check` passes `consecutiveSuccesses` times in a row (default 3): a state that holds,
 * not one lucky answer. `check` throws to say what is still wrong.
 */
export async function awaitConvergence(
  check: () => Promise<void>,
  options: PollOptions & { readonly consecutiveSuccesses?: number },
): Promise<void> {
  const needed = options.consecutiveSuccesses ?? 3;
  let streak = 0;
  await pollUntil(async () => {
    try {
      await check();
      streak++;
    } catch (error) {
      streak = 0;
      throw error;
    }
    return streak >= needed ? true : undefined;
  }, options);
}

/**
 * What `settling` resolves with, if it does within `timeoutMs`; undefined otherwise (its timer
 * cleared either way). For events that may never come: a close, a GOAWAY, an exit.
 */
export async function settledWithin<T>(settling: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs), undefined);
  });
  return Promise.race([settling, late]).finally(() => clearTimeout(timer));
}

/**
 * Waits until the wall clock reaches `atMs`: for a check that something did NOT happen, which can
 * only fail once the bound within which a wrong balancer would have done it has passed.
 */
export async function untilWallClock(atMs: number): Promise<void> {
  const remainingMs = atMs - (performance.timeOrigin + performance.now());
  if (remainingMs > 0) await pollDelay(remainingMs);
}
