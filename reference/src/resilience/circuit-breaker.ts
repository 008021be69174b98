import type { Clock } from '../clock.ts';

/** A breaker's settings; see the schema's "circuitBreaker" for the semantics. */
export interface CircuitBreakerSettings {
  readonly consecutiveFailures: number;
  /** Also open when, over the last windowMs with at least minimumRequests, this share failed. */
  readonly failureRatePercent?: number;
  readonly minimumRequests?: number;
  readonly windowMs?: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
  readonly halfOpenRequests: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Outcomes over a sliding window, in ten buckets. */
class OutcomeWindow {
  readonly #bucketMs: number;
  readonly #requests = new Uint32Array(10);
  readonly #failures = new Uint32Array(10);
  #newest = 0;

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, windowMs / 10);
  }

  add(failed: boolean, now: number): { requests: number; failures: number } {
    const slot = this.#advance(now);
    this.#requests[slot] = (this.#requests[slot] ?? 0) + 1;
    if (failed) this.#failures[slot] = (this.#failures[slot] ?? 0) + 1;
    return {
      requests: this.#requests.reduce((sum, n) => sum + n, 0),
      failures: this.#failures.reduce((sum, n) => sum + n, 0),
    };
  }

  clear(): void {
    this.#requests.fill(0);
    this.#failures.fill(0);
  }

  #advance(now: number): number {
    const bucket = Math.floor(now / this.#bucketMs);
    for (let i = 1; i <= Math.min(bucket - this.#newest, 10); i++) {
      const slot = (this.#newest + i) % 10;
      this.#requests[slot] = 0;
      this.#failures[slot] = 0;
    }
    this.#newest = Math.max(this.#newest, bucket);
    return bucket % 10;
  }
}

/**
 * One backend's circuit breaker. CLOSED counts failures in a row; `consecutiveFailures` of them
 * open it, as does a failure rate of failureRatePercent or more over the last windowMs once it
 * holds minimumRequests (example: 40%, 10 requests: 5 failures in 10 open it, 3 in 10 do not). OPEN admits nothing for openMs x 2^(trips - 1), capped at maxOpenMs (trips: openings since
 * it last closed); then it is HALF-OPEN and admits exactly `halfOpenRequests` trial requests. When
 * every trial succeeds it closes; the first failed trial opens it again. Example with openMs 500 and
 * maxOpenMs 1500: a backend failing throughout is open 500, 1000, 1500, 1500, ... ms between trials.
 * Requests already under way when it opened count for nothing.
 */
export class CircuitBreaker {
  readonly #settings: CircuitBreakerSettings;
  readonly #clock: Clock;
  #state: CircuitState = 'closed';
  #failuresInARow = 0;
  #trips = 0;
  #openUntil = 0;
  #trialsAdmitted = 0;
  #trialsPassed = 0;
  readonly #window: OutcomeWindow | undefined;

  constructor(settings: CircuitBreakerSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
    this.#window =
      settings.failureRatePercent === undefined ? undefined : new OutcomeWindow(settings.windowMs ?? 10_000);
  }

  /** The state now (an open breaker whose time is up reads as half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#clock() >= this.#openUntil) {
      this.#state = 'half-open';
      this.#trialsAdmitted = 0;
      this.#trialsPassed = 0;
    }
    return this.#state;
  }

  /** When an open breaker turns half-open (clock ms); undefined unless open. */
  get openUntil(): number | undefined {
    return this.state === 'open' ? this.#openUntil : undefined;
  }

  /** Whether a new request may be sent now; no side effects. */
  get admits(): boolean {
    const state = this.state;
    return (
      state === 'closed' || (state === 'half-open' && this.#trialsAdmitted < this.#settings.halfOpenRequests)
    );
  }

  /** Counts a request sent (a trial when half-open). Returns whether this used up the last trial. */
  admit(): boolean {
    if (this.state !== 'half-open') return false;
    this.#trialsAdmitted++;
    return this.#trialsAdmitted === this.#settings.halfOpenRequests;
  }

  /** Records how a request ended; returns the new state when it changed. */
  record(succeeded: boolean): CircuitState | undefined {
    const state = this.state;
    if (state === 'open') return undefined;
    if (state === 'half-open') {
      if (!succeeded) return this.#open();
      this.#trialsPassed++;
      if (this.#trialsPassed < this.#settings.halfOpenRequests) return undefined;
      this.#state = 'closed';
      this.#trips = 0;
      this.#failuresInARow = 0;
      return 'closed';
    }
    this.#failuresInARow = succeeded ? 0 : this.#failuresInARow + 1;
    if (this.#failuresInARow >= this.#settings.consecutiveFailures) return this.#open();
    const seen = this.#window?.add(!succeeded, this.#clock());
    const { failureRatePercent = 100, minimumRequests = 20 } = this.#settings;
    if (
      seen &&
      seen.requests >= minimumRequests &&
      seen.failures * 100 >= failureRatePercent * seen.requests
    ) {
      return this.#open();
    }
    return undefined;
  }

  #open(): CircuitState {
    this.#trips++;
    const { openMs, maxOpenMs } = this.#settings;
    this.#openUntil = this.#clock() + Math.min(maxOpenMs, openMs * 2 ** (this.#trips - 1));
    this.#state = 'open';
    this.#failuresInARow = 0;
    this.#window?.clear();
    return 'open';
  }
}
