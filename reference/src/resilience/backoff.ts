import type { Random } from '../selection/selector.ts';

/**
 * The wait before retry `retry` (1-based), with full jitter: uniform in
 * [0, min(maxIntervalMs, baseIntervalMs x 2^(retry - 1))]. Example, base 100 and max 1000: retry 1
 * waits up to 100 ms, retry 2 up to 200, retry 3 up to 400, retry 5 and later up to 1000.
 */
export function retryDelayMs(
  retry: number,
  { baseIntervalMs, maxIntervalMs }: { readonly baseIntervalMs: number; readonly maxIntervalMs: number },
  random: Random = Math.random,
): number {
  return random() * backoffCapMs(retry, { baseIntervalMs, maxIntervalMs });
}

/** The upper bound of retry `retry`'s wait (see retryDelayMs). */
export function backoffCapMs(
  retry: number,
  { baseIntervalMs, maxIntervalMs }: { readonly baseIntervalMs: number; readonly maxIntervalMs: number },
): number {
  return Math.min(maxIntervalMs, baseIntervalMs * 2 ** (retry - 1));
}
