import type { Clock } from '../clock.ts';
import type { OutlierDetectionConfig } from '../config/types.ts';

interface Record {
  consecutiveFailures: number;
  timesEjected: number;
  /** Clock time the current ejection ends; 0 when not ejected. */
  ejectedUntil: number;
}

/**
 * Passive health for one pool: ejects a backend after `consecutiveFailures` failed requests in a
 * row, for baseEjectionMs x (times ejected), capped at maxEjectionMs. Example with base 400 ms and
 * max 800 ms: ejections last 400, 800, 800, ... ms. At most floor(n x maxEjectionPercent / 100)
 * of the pool's n backends are ejected at once, but at least one (a pool of 3 at 10% may eject 1).
 */
export class OutlierDetector {
  readonly #config: OutlierDetectionConfig;
  readonly #clock: Clock;
  readonly #records = new Map<string, Record>();
  readonly #maxEjected: number;

  constructor(config: OutlierDetectionConfig, poolSize: number, clock: Clock) {
    this.#config = config;
    this.#clock = clock;
    this.#maxEjected =
      config.maxEjectionPercent === 0
        ? 0
        : Math.max(1, Math.floor((poolSize * config.maxEjectionPercent) / 100));
  }

  /** Whether `key` is ejected now. */
  isEjected(key: string): boolean {
    const record = this.#records.get(key);
    return record !== undefined && record.ejectedUntil > this.#clock();
  }

  /** When the ejection of `key` ends (clock ms), if it is ejected now. */
  ejectionEnd(key: string): number | undefined {
    return this.isEjected(key) ? this.#records.get(key)?.ejectedUntil : undefined;
  }

  /** Records one request's outcome; returns the ejection's end when this failure ejected `key`. */
  record(key: string, succeeded: boolean): number | undefined {
    const record = this.#records.get(key) ?? { consecutiveFailures: 0, timesEjected: 0, ejectedUntil: 0 };
    this.#records.set(key, record);
    if (succeeded) {
      record.consecutiveFailures = 0;
      return undefined;
    }
    // A request that was already under way when its backend was ejected says nothing new.
    if (this.isEjected(key)) return undefined;
    record.consecutiveFailures++;
    if (record.consecutiveFailures < this.#config.consecutiveFailures) return undefined;
    if (this.#ejectedCount() >= this.#maxEjected) return undefined;
    record.timesEjected++;
    record.consecutiveFailures = 0;
    const { baseEjectionMs, maxEjectionMs } = this.#config;
    record.ejectedUntil = this.#clock() + Math.min(maxEjectionMs, baseEjectionMs * record.timesEjected);
    return record.ejectedUntil;
  }

  #ejectedCount(): number {
    const now = this.#clock();
    let count = 0;
    for (const record of this.#records.values()) if (record.ejectedUntil > now) count++;
    return count;
  }
}
