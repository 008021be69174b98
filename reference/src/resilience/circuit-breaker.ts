import type { Clock } from '../clock.ts';

/** A breaker's settings; see the schema's "circuitBreaker" for the semantics. */
export interface CircuitBreakerSettings {
  readonly consecutiveFailures: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
  readonly halfOpenRequests: number;
  /** A defect for fixtures/broken/ only: a failed trial closes the breaker as a passed one would. */
  readonly closeOnFailedTrial?: boolean;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * One backend's circuit breaker. CLOSED counts failures in a row; `consecutiveFailures` of them
 * open it. OPEN admits nothing for openMs x 2^(trips - 1), capped at maxOpenMs (trips: openings since
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

  constructor(settings: CircuitBreakerSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
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
      if (!succeeded && !this.#settings.closeOnFailedTrial) return this.#open();
      this.#trialsPassed++;
      if (this.#trialsPassed < this.#settings.halfOpenRequests) return undefined;
      this.#state = 'closed';
      this.#trips = 0;
      this.#failuresInARow = 0;
      return 'closed';
    }
    this.#failuresInARow = succeeded ? 0 : this.#failuresInARow + 1;
    return this.#failuresInARow >= this.#settings.consecutiveFailures ? this.#open() : undefined;
  }

  #open(): CircuitState {
    this.#trips++;
    const { openMs, maxOpenMs } = this.#settings;
    this.#openUntil = this.#clock() + Math.min(maxOpenMs, openMs * 2 ** (this.#trips - 1));
    this.#state = 'open';
    this.#failuresInARow = 0;
    return 'open';
  }
}
