// Whether a connection was ended the idle timeout after its idle timer started, as far as a client
// can tell when that was.
import { timeouts } from '../../harness/timing/timeouts.ts';

/**
 * When the balancer's idle timer can have started, as the client saw it: not before `earliestMs`
 * (what starts it had not happened yet), not after `latestMs` (the client had seen it happen).
 */
export interface IdleFrom {
  readonly earliestMs: number;
  readonly latestMs: number;
}

/**
 * How long a connection ended at `endedAtMs` had been idle ("1010 ms", or "980 to 1040 ms" when
 * the client cannot tell closer), when that lies outside `idleMs` with the timing slack either
 * way; undefined when it lies within. A busy client's late view of when the timer started moves
 * neither bound.
 */
export function idleOutsideTimeout(
  endedAtMs: number,
  idleFrom: IdleFrom,
  idleMs: number,
): string | undefined {
  const slackMs = timeouts.timingSlackMs;
  const mostMs = Math.round(endedAtMs - idleFrom.earliestMs);
  const leastMs = Math.round(endedAtMs - idleFrom.latestMs);
  if (leastMs <= idleMs + slackMs && mostMs >= idleMs - slackMs) return undefined;
  return `${leastMs === mostMs ? leastMs : `${leastMs} to ${mostMs}`} ms`;
}
