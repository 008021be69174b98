/** Consecutive results that flip a backend's health: rise (to healthy) and fall (to unhealthy). */
export interface HealthThresholds {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/**
 * One backend's health as active checks see it. Only a run of `unhealthyThreshold` failures in a row
 * takes it out and only a run of `healthyThreshold` passes puts it back, so a flapping backend
 * (fail, fail, pass, fail, fail with fall 3) keeps its state.
 */
export class HealthState {
  #healthy: boolean;
  /** Results in a row that disagree with the current state. */
  #streak = 0;
  readonly #thresholds: HealthThresholds;

  constructor(thresholds: HealthThresholds, initiallyHealthy: boolean) {
    this.#thresholds = thresholds;
    this.#healthy = initiallyHealthy;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Records one probe result; true when it flipped the state. */
  observe(passed: boolean): boolean {
    if (passed === this.#healthy) {
      this.#streak = 0;
      return false;
    }
    this.#streak++;
    const needed = passed ? this.#thresholds.healthyThreshold : this.#thresholds.unhealthyThreshold;
    if (this.#streak < needed) return false;
    this.#healthy = passed;
    this.#streak = 0;
    return true;
  }
}
