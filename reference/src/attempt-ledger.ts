import type { AttemptOutcome, Upstream } from './pools.ts';
import { attemptFailure } from './resilience/retry-policy.ts';

/** Opens the ledger of an attempt at `upstream` (a part: parts.ts). */
export type LedgerOpener = (upstream: Upstream) => AttemptLedger;

/**
 * One attempt's account with the backend it went to, kept the same way on every path (the fast and
 * the slow HTTP path, upgrades, TCP): it counts among the backend's attempts in flight from the
 * pick until it settles, exactly once, so least connections and bounded loads see it while it
 * connects; and what came of it goes to the pool, for passive health and the breaker.
 */
export class AttemptLedger {
  readonly upstream: Upstream;
  #settled = false;

  constructor(upstream: Upstream) {
    this.upstream = upstream;
    upstream.load.active++;
  }

  /** The backend answered (HTTP) or took the connection (TCP, upgrades). */
  record(outcome: AttemptOutcome): void {
    this.upstream.pool.recordOutcome(this.upstream, outcome);
  }

  /**
   * The backend gave no answer: records how the attempt failed, and says whether the client's
   * answer is 504 (nothing in time) rather than 502.
   */
  recordFailure(error: unknown, timedOutWaiting: boolean): ReturnType<typeof attemptFailure> {
    const failed = attemptFailure(error, timedOutWaiting);
    this.record({ failure: failed.failure });
    return failed;
  }

  /**
   * Takes the attempt off its backend's in-flight count, whether it `succeeded` or not; later calls
   * do nothing.
   */
  settle(_succeeded: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.upstream.load.active--;
  }
}

/** The reference's ledgers. */
export const openLedger: LedgerOpener = (upstream) => new AttemptLedger(upstream);
