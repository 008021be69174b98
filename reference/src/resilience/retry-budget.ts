import type { Clock } from '../clock.ts';

/** Length of the window a budget counts over, and how finely it slides. */
const windowMs = 10_000;
const bucketMs = 1_000;
const bucketCount = windowMs / bucketMs;

/**
 * Caps retries at max(minRetries, percent% of requests begun) over a sliding 10-second window, so a
 * failing pool sees at most (1 + percent/100) times its traffic instead of (1 + attempts) times.
 * Example, percent 20 and minRetries 3: 100 requests in a window allow 20 retries; 5 allow 3.
 */
export class RetryBudget {
  readonly #percent: number;
  readonly #minRetries: number;
  readonly #clock: Clock;
  readonly #requests = new Uint32Array(bucketCount);
  readonly #retries = new Uint32Array(bucketCount);
  /** Index (time / bucketMs) of the newest bucket. */
  #newest: number;

  constructor({ percent, minRetries }: { percent: number; minRetries: number }, clock: Clock) {
    this.#percent = percent;
    this.#minRetries = minRetries;
    this.#clock = clock;
    this.#newest = Math.floor(clock() / bucketMs);
  }

  /** Counts a request as begun. */
  recordRequest(): void {
    const slot = this.#advance();
    this.#requests[slot] = (this.#requests[slot] ?? 0) + 1;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is spent. */
  tryRetry(): boolean {
    const slot = this.#advance();
    const requests = this.#requests.reduce((sum, n) => sum + n, 0);
    const retries = this.#retries.reduce((sum, n) => sum + n, 0);
    const allowed = Math.max(this.#minRetries, Math.floor((requests * this.#percent) / 100));
    if (retries >= allowed) return false;
    this.#retries[slot] = (this.#retries[slot] ?? 0) + 1;
    return true;
  }

  /** Clears buckets that slid out of the window; returns the current bucket's slot. */
  #advance(): number {
    const now = Math.floor(this.#clock() / bucketMs);
    const stale = Math.min(now - this.#newest, bucketCount);
    for (let i = 1; i <= stale; i++) {
      const slot = (this.#newest + i) % bucketCount;
      this.#requests[slot] = 0;
      this.#retries[slot] = 0;
    }
    this.#newest = Math.max(this.#newest, now);
    return now % bucketCount;
  }
}
