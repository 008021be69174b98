// Whether a backend took requests before its own health log says a balancer could have put it back.
import type { Arrival, HealthAnswer } from '../backends/provider.ts';
import { ExpectationError } from './expectations.ts';

/**
 * When the backend sent the answer that completed `rise` passed checks in a row, counting only
 * checks that arrived from `sinceMs` on (when it began to pass them); Infinity while it has not.
 * A check that arrived a little after `sinceMs` may still have been failed: counting it as a
 * possible pass only makes the rise earlier, never later than the balancer's own.
 */
export function risenAtMs(
  answers: readonly HealthAnswer[],
  sinceMs: number,
  rise: number,
  passes: (status: number) => boolean,
): number {
  let passedInRow = 0;
  for (const answer of answers) {
    if (answer.askedAtMs < sinceMs) continue;
    passedInRow = passes(answer.status) ? passedInRow + 1 : 0;
    if (passedInRow === rise) return answer.atMs;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * No request arrived at backend `id`, out of rotation until `sinceMs`, before it answered the
 * check that completed `rise` passes in a row since then. Both times come from the backend's own
 * clock, and a balancer learns of an answer only after it was sent, so this holds for every
 * correct balancer however busy the machine; it needs no slack, and catches an early return even
 * when the client's requests were delayed.
 */
export function expectNoArrivalBeforeRise(
  id: string,
  arrivals: readonly Arrival[],
  answers: readonly HealthAnswer[],
  sinceMs: number,
  rise: number,
  passes: (status: number) => boolean,
): void {
  const risenAt = risenAtMs(answers, sinceMs, rise, passes);
  const early = arrivals.filter((arrival) => arrival.atMs >= sinceMs && arrival.atMs < risenAt);
  const first = early[0];
  if (first === undefined) return;
  const passedInRow = answers
    .filter((answer) => answer.askedAtMs >= sinceMs && answer.atMs <= first.atMs)
    .reduce((inRow, answer) => (passes(answer.status) ? inRow + 1 : 0), 0);
  throw new ExpectationError(
    `expected no request on ${id} before it answered its ${rise}${ordinalSuffix(rise)} passed check in a row, but ${early.length} arrived sooner, the first after ${passedInRow} passed check${passedInRow === 1 ? '' : 's'} in a row${Number.isFinite(risenAt) ? `, ${(risenAt - first.atMs).toFixed(0)} ms before the ${rise}${ordinalSuffix(rise)}` : ''}`,
  );
}

function ordinalSuffix(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}
